//! 监测统计: the monitoring statistics (issue 16, helper A).
