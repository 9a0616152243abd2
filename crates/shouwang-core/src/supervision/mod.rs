//! 督导: overdue work, visit compliance, measure coverage and the supervision ranking (issue 16, helper B).
