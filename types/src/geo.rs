use serde::{Deserialize, Serialize};

/// WGS84 position (latitude, longitude in degrees).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "RawPoint", into = "RawPoint")]
pub struct GeoPoint {
    lat: f64,
    lon: f64,
}

#[derive(Serialize, Deserialize)]
struct RawPoint {
    lat: f64,
    lon: f64,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("latitude must be within -90..90 and longitude within -180..180")]
pub struct BadPoint;

impl GeoPoint {
    pub fn new(lat: f64, lon: f64) -> Result<Self, BadPoint> {
        if lat.is_finite() && lon.is_finite() && (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) {
            Ok(Self { lat, lon })
        } else {
            Err(BadPoint)
        }
    }
    pub fn lat(&self) -> f64 {
        self.lat
    }
    pub fn lon(&self) -> f64 {
        self.lon
    }
    /// Distance in metres for sorting and showing nearby shelters: the equirectangular
    /// approximation (within 0.5 % of the great-circle distance up to 200 km at Japan's
    /// latitudes). No `sin`/`asin`: the haversine brought 8 KB of libm into every resident's first
    /// download; here the only transcendental is a short polynomial and `sqrt` is one wasm
    /// instruction.
    pub fn distance_m(&self, other: &GeoPoint) -> f64 {
        const R: f64 = 6_371_000.0;
        let mean_lat = ((self.lat + other.lat) / 2.0).to_radians();
        let mut dl = other.lon - self.lon;
        if dl > 180.0 {
            dl -= 360.0;
        } else if dl < -180.0 {
            dl += 360.0;
        }
        let x = dl.to_radians() * cos_small(mean_lat);
        let y = (other.lat - self.lat).to_radians();
        R * (x * x + y * y).sqrt()
    }
}

/// cos(x) for |x| ≤ π/2 (a latitude), by its Taylor series to x¹⁰: error below 1e-6.
fn cos_small(x: f64) -> f64 {
    let x2 = x * x;
    1.0 - x2 / 2.0 * (1.0 - x2 / 12.0 * (1.0 - x2 / 30.0 * (1.0 - x2 / 56.0 * (1.0 - x2 / 90.0))))
}

impl TryFrom<RawPoint> for GeoPoint {
    type Error = BadPoint;
    fn try_from(r: RawPoint) -> Result<Self, BadPoint> {
        GeoPoint::new(r.lat, r.lon)
    }
}
impl From<GeoPoint> for RawPoint {
    fn from(p: GeoPoint) -> RawPoint {
        RawPoint { lat: p.lat, lon: p.lon }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn distance_sendai_station_to_city_hall() {
        let station = GeoPoint::new(38.2601, 140.8822).unwrap();
        let hall = GeoPoint::new(38.2682, 140.8694).unwrap();
        let d = station.distance_m(&hall);
        assert!((1300.0..1500.0).contains(&d), "{d}");
    }
    /// Against the haversine (great circle) it replaced: within 0.5 % up to 200 km anywhere in
    /// Japan, and the nearer of two shelters is still the nearer one.
    #[test]
    fn close_to_the_great_circle_distance_in_japan() {
        let haversine = |a: &GeoPoint, b: &GeoPoint| {
            let (p1, p2) = (a.lat.to_radians(), b.lat.to_radians());
            let (dp, dl) = (p2 - p1, (b.lon - a.lon).to_radians());
            let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
            2.0 * 6_371_000.0 * h.sqrt().asin()
        };
        let mut checked = 0;
        for lat in (24..=46).step_by(2) {
            for lon in (123..=146).step_by(3) {
                let a = GeoPoint::new(f64::from(lat), f64::from(lon)).unwrap();
                for (dlat, dlon) in [(0.01, 0.0), (0.0, 0.01), (0.3, -0.4), (-1.0, 1.2), (1.0, 1.0)] {
                    let b = GeoPoint::new(a.lat + dlat, a.lon + dlon).unwrap();
                    let (ours, exact) = (a.distance_m(&b), haversine(&a, &b));
                    assert!(exact < 200_000.0);
                    assert!((ours - exact).abs() / exact < 0.005, "{a:?} {b:?}: {ours} against {exact}");
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 12 * 8 * 5);
        for x in [-1.5, -0.7, 0.0, 0.4, 0.8, 1.2, std::f64::consts::FRAC_PI_2] {
            assert!((cos_small(x) - x.cos()).abs() < 1e-6, "{x}");
        }
        let home = GeoPoint::new(35.0, 139.0).unwrap();
        let near = GeoPoint::new(35.010, 139.0).unwrap(); // 1.11 km north
        let far = GeoPoint::new(35.0, 139.013).unwrap(); // 1.18 km east
        assert!(home.distance_m(&near) < home.distance_m(&far));
        let west = GeoPoint::new(0.0, 179.9).unwrap();
        let east = GeoPoint::new(0.0, -179.9).unwrap();
        assert!((west.distance_m(&east) - 22_239.0).abs() < 50.0, "across the date line");
    }

    #[test]
    fn rejects_out_of_range() {
        assert!(GeoPoint::new(91.0, 0.0).is_err());
        assert!(GeoPoint::new(0.0, f64::NAN).is_err());
        assert!(serde_json::from_str::<GeoPoint>(r#"{"lat":10,"lon":200}"#).is_err());
    }
}
