//! Arrow keys in the widgets that hold several controls behind one Tab stop (tab strips, row
//! menus), as the WAI-ARIA Authoring Practices describe them, and the few DOM lookups the
//! focus moves of those widgets and of dialogs share.

use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{Element, HtmlElement};

/// Which way a widget's items run: a tab strip's are side by side, a menu's one under another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    Horizontal,
    Vertical,
}

/// The item a key moves to from `current` among `count` items, wrapping at either end; `None`
/// for a key that does not move (so the browser keeps its own meaning for it).
pub fn roving_index(
    key: &str,
    current: usize,
    count: usize,
    orientation: Orientation,
) -> Option<usize> {
    if count == 0 {
        return None;
    }
    let current = current.min(count - 1);
    let (previous, next) = match orientation {
        Orientation::Horizontal => ("ArrowLeft", "ArrowRight"),
        Orientation::Vertical => ("ArrowUp", "ArrowDown"),
    };
    match key {
        k if k == next => Some((current + 1) % count),
        k if k == previous => Some((current + count - 1) % count),
        "Home" => Some(0),
        "End" => Some(count - 1),
        _ => None,
    }
}

/// The elements in `container` matching `selector` that can take the focus, in document order.
pub fn elements(container: &Element, selector: &str) -> Vec<HtmlElement> {
    let Ok(list) = container.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<HtmlElement>().ok())
        .collect()
}

/// Whether `element` has the focus.
pub fn has_focus(element: &HtmlElement) -> bool {
    leptos::prelude::document().active_element().as_ref() == Some(element.as_ref())
}

/// Moves the focus among the elements matching `selector` in `container` as `key` says (the
/// focused one counting as current); whether it moved, so the caller can stop the key's default.
pub fn move_focus(
    container: &Element,
    selector: &str,
    key: &str,
    orientation: Orientation,
) -> bool {
    let items = elements(container, selector);
    let current = items.iter().position(has_focus).unwrap_or(0);
    match roving_index(key, current, items.len(), orientation) {
        Some(next) => {
            let _ = items[next].focus();
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Orientation::*;

    #[test]
    fn arrows_move_one_item_and_wrap_around() {
        assert_eq!(roving_index("ArrowRight", 0, 5, Horizontal), Some(1));
        assert_eq!(roving_index("ArrowRight", 4, 5, Horizontal), Some(0));
        assert_eq!(roving_index("ArrowLeft", 0, 5, Horizontal), Some(4));
        assert_eq!(roving_index("ArrowDown", 2, 3, Vertical), Some(0));
        assert_eq!(roving_index("ArrowUp", 1, 3, Vertical), Some(0));
    }

    #[test]
    fn home_and_end_go_to_the_ends() {
        assert_eq!(roving_index("Home", 3, 5, Horizontal), Some(0));
        assert_eq!(roving_index("End", 0, 5, Vertical), Some(4));
    }

    #[test]
    fn other_keys_and_the_other_direction_do_not_move() {
        assert_eq!(roving_index("ArrowDown", 0, 5, Horizontal), None);
        assert_eq!(roving_index("ArrowRight", 0, 5, Vertical), None);
        assert_eq!(roving_index("Tab", 0, 5, Horizontal), None);
        assert_eq!(roving_index("ArrowRight", 0, 0, Horizontal), None);
    }

    #[test]
    fn a_current_index_past_the_end_counts_as_the_last() {
        assert_eq!(roving_index("ArrowRight", 9, 3, Horizontal), Some(0));
        assert_eq!(roving_index("ArrowLeft", 9, 3, Horizontal), Some(1));
    }
}
