package sla

import "time"

// SubHours returns the moment d of working time before end: the latest t ≤ end with Between(t, end)
// == d, such as the reminder "one working day before" a deadline. When that much working time ends
// at a day's close, it returns the next day's opening (the morning of the last working day, not the
// evening before). SubHours(end, 0) is end; before the tables' start it returns their start.
func (c *Calendar) SubHours(end time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return end.In(Moscow)
	}
	if c.all {
		return end.Add(-d).In(Moscow)
	}
	w := c.cum(end) - int64(d)
	if w < 0 {
		return time.Unix(rangeStart, 0).In(Moscow)
	}
	lo, hi := 0, numDays-1
	for lo < hi { // the smallest j with prefix[j+1] > w: the day whose working time holds w
		mid := int(uint(lo+hi) >> 1)
		if int64(c.prefix[mid+1])*nsPerSec <= w {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	open, _ := c.bounds(lo)
	return time.Unix(0, open+w-int64(c.prefix[lo])*nsPerSec).In(Moscow)
}

// TypicalDay is the working time of an ordinary Monday (of the longest day of the week if Monday is
// off; 24 h on an AllHours calendar): "one working day" of this calendar.
func (c *Calendar) TypicalDay() time.Duration {
	if c.all {
		return 24 * time.Hour
	}
	if h := c.week[time.Monday]; h.End > h.Start {
		return h.End - h.Start
	}
	var best time.Duration
	for _, h := range c.week {
		best = max(best, h.End-h.Start)
	}
	return best
}
