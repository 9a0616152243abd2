//! issue 16: quality reads.
