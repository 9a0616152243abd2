//! 促增收: income growth and the low-income ledger (issue 16, helper C).
