//! issue 16: statistics reads.
