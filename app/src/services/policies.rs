//! Policy settings and the policy's custom extension rules (stage → extension).
