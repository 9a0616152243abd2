//! issue 16: supervision reads.
