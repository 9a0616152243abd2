//! issue 16: statistics use cases.
