use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use kernel::TenantId;

/// How many days a dashboard covers: today (UTC) and the days before it.
pub const DAYS: u16 = 90;

/// One day of a tenant's usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayActivity {
    pub day: Date,
    /// Current members who joined that day: the tenant's creator, and accepted invitations.
    pub signups: u64,
    /// Logins that day by users who are members now.
    pub logins: u64,
    /// Distinct members with at least one successful request on the tenant that day.
    pub active_members: u64,
    /// Successful requests on the tenant's routes that day.
    pub api_calls: u64,
}

impl DayActivity {
    pub const fn zero(day: Date) -> Self {
        Self {
            day,
            signups: 0,
            logins: 0,
            active_members: 0,
            api_calls: 0,
        }
    }

    fn add(&mut self, other: &Self) {
        self.signups += other.signups;
        self.logins += other.logins;
        self.active_members += other.active_members;
        self.api_calls += other.api_calls;
    }
}

/// The first and last day of the dashboard that ends `today`.
pub fn window(today: Date) -> (Date, Date) {
    let span = Duration::days(i64::from(DAYS) - 1);
    (today.checked_sub(span).unwrap_or(Date::MIN), today)
}

/// A tenant's last [`DAYS`] days, oldest first, every day present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub tenant_id: TenantId,
    pub days: Vec<DayActivity>,
}

impl Dashboard {
    /// The window ending `today`, from a store's sparse rows: a day without rows counts zero,
    /// rows of the same day add up, and rows outside the window are left out.
    pub fn build(
        tenant_id: TenantId,
        today: Date,
        rows: impl IntoIterator<Item = DayActivity>,
    ) -> Self {
        let (from, _) = window(today);
        let mut days: Vec<DayActivity> = (0..i64::from(DAYS))
            .map_while(|n| from.checked_add(Duration::days(n)).map(DayActivity::zero))
            .collect();
        for row in rows {
            let offset = (row.day - from).whole_days();
            if let Some(slot) = usize::try_from(offset).ok().and_then(|i| days.get_mut(i)) {
                slot.add(&row);
            }
        }
        Self { tenant_id, days }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn row(day: Date, api_calls: u64) -> DayActivity {
        DayActivity {
            api_calls,
            ..DayActivity::zero(day)
        }
    }

    #[test]
    fn every_day_of_the_window_is_present_oldest_first() {
        let today = date!(2026 - 03 - 01);
        let dashboard = Dashboard::build(TenantId::generate(), today, []);
        assert_eq!(dashboard.days.len(), 90);
        assert_eq!(dashboard.days[0].day, date!(2025 - 12 - 02));
        assert_eq!(dashboard.days[89].day, today);
        assert!(
            dashboard
                .days
                .windows(2)
                .all(|w| w[1].day - w[0].day == Duration::DAY)
        );
        assert!(
            dashboard
                .days
                .iter()
                .all(|d| *d == DayActivity::zero(d.day))
        );
    }

    #[test]
    fn sparse_rows_land_on_their_day_and_add_up() {
        let today = date!(2026 - 01 - 10);
        let rows = [
            row(today, 3),
            row(today, 4),
            DayActivity {
                signups: 2,
                ..DayActivity::zero(date!(2026 - 01 - 01))
            },
            // Outside the window on either side.
            row(date!(2025 - 10 - 12), 100),
            row(date!(2026 - 01 - 11), 100),
        ];
        let dashboard = Dashboard::build(TenantId::generate(), today, rows);
        assert_eq!(dashboard.days[89].api_calls, 7);
        assert_eq!(dashboard.days[80].day, date!(2026 - 01 - 01));
        assert_eq!(dashboard.days[80].signups, 2);
        let total: u64 = dashboard.days.iter().map(|d| d.api_calls).sum();
        assert_eq!(total, 7);
    }

    #[test]
    fn the_window_spans_ninety_days() {
        let (from, to) = window(date!(2026 - 03 - 31));
        assert_eq!(to - from, Duration::days(89));
        assert_eq!(from, date!(2026 - 01 - 01));
    }
}
