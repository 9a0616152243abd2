//! issue 16: dashboard use cases.
