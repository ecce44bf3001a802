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
    /// Great-circle distance in metres (haversine); plenty for sorting nearby shelters.
    pub fn distance_m(&self, other: &GeoPoint) -> f64 {
        const R: f64 = 6_371_000.0;
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * R * a.sqrt().asin()
    }
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
    #[test]
    fn rejects_out_of_range() {
        assert!(GeoPoint::new(91.0, 0.0).is_err());
        assert!(GeoPoint::new(0.0, f64::NAN).is_err());
        assert!(serde_json::from_str::<GeoPoint>(r#"{"lat":10,"lon":200}"#).is_err());
    }
}
