//! issue 16: quality use cases.
