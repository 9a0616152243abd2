//! issue 16: supervision use cases.
