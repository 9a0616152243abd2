//! 数据质量: the catalogue of data-quality rules (issue 16, helper D).
