//! Points on the earth and the distance between them.

/// A position in degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Latitude, -90 to 90.
    pub lat: f64,
    /// Longitude, -180 to 180.
    pub lon: f64,
}

impl Point {
    /// Reads "lat,lon" ("48.137, 11.575"); `None` for anything else or out of range.
    ///
    /// ```
    /// use sophia::geo::Point;
    /// assert_eq!(Point::parse("48.5, 11.25"), Some(Point { lat: 48.5, lon: 11.25 }));
    /// assert_eq!(Point::parse("95,11"), None);
    /// assert_eq!(Point::parse("80331"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Point> {
        let (lat, lon) = text.split_once(',')?;
        let lat: f64 = lat.trim().parse().ok()?;
        let lon: f64 = lon.trim().parse().ok()?;
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon))
            .then_some(Point { lat, lon })
    }
}

/// The great-circle distance in kilometres (haversine formula).
///
/// ```
/// use sophia::geo::{Point, distance_km};
/// let marienplatz = Point { lat: 48.1374, lon: 11.5755 };
/// let frankfurt = Point { lat: 50.1109, lon: 8.6821 };
/// let km = distance_km(marienplatz, frankfurt);
/// assert!((km - 304.0).abs() < 5.0, "{km}");
/// ```
pub fn distance_km(a: Point, b: Point) -> f64 {
    const EARTH_RADIUS_KM: f64 = 6371.0;
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_is_symmetric_and_zero_at_the_same_point() {
        let a = Point {
            lat: 48.0,
            lon: 11.0,
        };
        let b = Point {
            lat: 50.8,
            lon: 8.77,
        };
        assert_eq!(distance_km(a, a), 0.0);
        assert!((distance_km(a, b) - distance_km(b, a)).abs() < 1e-9);
    }

    #[test]
    fn one_degree_of_latitude_is_about_111_km() {
        let km = distance_km(
            Point {
                lat: 48.0,
                lon: 11.0,
            },
            Point {
                lat: 49.0,
                lon: 11.0,
            },
        );
        assert!((km - 111.2).abs() < 0.5, "{km}");
    }
}
