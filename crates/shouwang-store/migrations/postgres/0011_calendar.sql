-- 0011 the working calendar (工作日历): the days that depart from the weekday rule, a public
-- holiday (法定节假日) on a weekday or a make-up working day (调休上班日) on a weekend, as the
-- State Council announces them each year. Kept per region: a province's days hold for all its
-- counties; a city or county adds its own, and a date entered at two levels is the more
-- specific region's. `kind` is core's DayKind code (1 holiday, 2 make-up working day).
CREATE TABLE calendar_days (
    region     TEXT NOT NULL,
    date       TEXT NOT NULL,
    kind       BIGINT NOT NULL,
    name       TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (region, date)
);
