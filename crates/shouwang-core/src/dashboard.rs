//! 首页: the headline figures, to-do and trends of a role's first page (issue 16, helper E).
