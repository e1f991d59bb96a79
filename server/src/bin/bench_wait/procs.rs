//! What `/proc` says about the server and receiver (`server::rig::procs::Process`): memory,
//! CPU time and context switches, and the machine's CPU time.

use std::process::Command;

use server::rig::procs::Process;

/// The benchmark's measures of a running process.
pub trait Measured {
    fn peak_memory_kib(&self) -> Option<u64>;
    fn cpu_seconds(&self) -> Option<f64>;
    fn context_switches(&self) -> Option<u64>;
    fn cpu_by_thread(&self) -> Vec<(String, f64)>;
}

impl Measured for Process {
    /// Peak resident memory (`VmHWM`) in KiB.
    fn peak_memory_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        vm_hwm_kib(&status)
    }

    /// User plus system CPU time so far, in seconds (all threads).
    fn cpu_seconds(&self) -> Option<f64> {
        cpu_seconds_of(self.pid())
    }

    /// Context switches (voluntary and not) of the live threads so far.
    fn context_switches(&self) -> Option<u64> {
        let tasks = std::fs::read_dir(format!("/proc/{}/task", self.pid())).ok()?;
        let mut sum = 0;
        for task in tasks.flatten() {
            let Ok(status) = std::fs::read_to_string(task.path().join("status")) else {
                continue;
            };
            sum += status
                .lines()
                .filter(|l| l.contains("ctxt_switches:"))
                .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum::<u64>();
        }
        Some(sum)
    }

    /// CPU seconds of the live threads, summed by thread name (`tokio-runtime-w`,
    /// `sqlx-sqlite-wor`, …), most first.
    fn cpu_by_thread(&self) -> Vec<(String, f64)> {
        let mut by_name: Vec<(String, u64)> = Vec::new();
        let tasks = std::fs::read_dir(format!("/proc/{}/task", self.pid()));
        for task in tasks.into_iter().flatten().flatten() {
            let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
                continue;
            };
            let (Some(name), Some(ticks)) = (thread_name(&stat), cpu_ticks(&stat)) else {
                continue;
            };
            match by_name.iter_mut().find(|(n, _)| n == name) {
                Some((_, sum)) => *sum += ticks,
                None => by_name.push((name.to_owned(), ticks)),
            }
        }
        by_name.sort_by_key(|(_, ticks)| std::cmp::Reverse(*ticks));
        let hz = clock_ticks_per_second();
        by_name
            .into_iter()
            .map(|(name, ticks)| (name, ticks as f64 / hz))
            .collect()
    }
}

/// User plus system CPU time of process `pid` so far, in seconds (all threads).
pub fn cpu_seconds_of(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    Some(cpu_ticks(&stat)? as f64 / clock_ticks_per_second())
}

/// `VmHWM:   123456 kB` from the text of `/proc/<pid>/status`.
pub fn vm_hwm_kib(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// utime + stime (fields 14 and 15) from the text of `/proc/<pid>/stat`; the command name in
/// field 2 may hold spaces, so fields are counted after its closing parenthesis.
pub fn cpu_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state): utime is field 14, index 11 here.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// The command (thread) name, field 2 of `/proc/<pid>/task/<tid>/stat`.
pub fn thread_name(stat: &str) -> Option<&str> {
    Some(&stat[stat.find('(')? + 1..stat.rfind(')')?])
}

/// CPU seconds so far of every live process named `postgres` (the server and its backends,
/// which the pools keep open through a run), whoever runs them.
pub fn postgres_cpu_seconds() -> Option<f64> {
    let mut ticks = 0;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        if thread_name(&stat) == Some("postgres") {
            ticks += cpu_ticks(&stat).unwrap_or(0);
        }
    }
    Some(ticks as f64 / clock_ticks_per_second())
}

/// The machine's CPU time so far (`cpu` line of `/proc/stat`), in ticks: (busy, all).
pub fn machine_cpu() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    machine_ticks(stat.lines().next()?)
}

/// (busy, all) from `cpu  user nice system idle iowait irq softirq steal …`; idle and iowait
/// are the time not busy.
pub fn machine_ticks(cpu_line: &str) -> Option<(u64, u64)> {
    let fields: Vec<u64> = cpu_line
        .strip_prefix("cpu ")?
        .split_whitespace()
        .take(8)
        .map(|f| f.parse().ok())
        .collect::<Option<_>>()?;
    let all: u64 = fields.iter().sum();
    let idle = fields.get(3)? + fields.get(4)?;
    Some((all - idle, all))
}

fn clock_ticks_per_second() -> f64 {
    static HZ: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *HZ.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_proc_status_and_stat() {
        let status = "Name:\tserver\nVmPeak:\t  999 kB\nVmHWM:\t   81234 kB\nVmRSS:\t 80000 kB\n";
        assert_eq!(vm_hwm_kib(status), Some(81_234));
        assert_eq!(vm_hwm_kib("Name:\tx\n"), None);
        let stat = "4242 (tokio (w) 1) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 75 0 0 20 0 9 0";
        assert_eq!(cpu_ticks(stat), Some(325));
        assert_eq!(cpu_ticks("garbage"), None);
        assert_eq!(thread_name(stat), Some("tokio (w) 1"));
        let cpu = "cpu  100 5 50 800 20 1 4 0 0 0";
        assert_eq!(machine_ticks(cpu), Some((160, 980)));
        assert_eq!(machine_ticks("intr 1 2 3"), None);
    }
}
