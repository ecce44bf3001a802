//! Every route with the roles it admits: the authorisation matrix test walks
//! [`all`] against the real router, and the OpenAPI test checks each is documented.
//! Feature modules list their own routes next to their handlers.

use bosai_types::auth::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    Roles(&'static [Role]),
}

#[derive(Debug, Clone, Copy)]
pub struct RouteSpec {
    pub method: &'static str,
    /// As in the OpenAPI document.
    pub path: &'static str,
    pub access: Access,
}

use super::principal::{AdminOnly, ResidentOnly, ShelterManager};
use Access::*;

const CORE: &[RouteSpec] = &[
    RouteSpec { method: "GET", path: "/api/health", access: Public },
    RouteSpec { method: "GET", path: "/api/openapi.json", access: Public },
    RouteSpec { method: "GET", path: "/api/shelters", access: Public },
    RouteSpec { method: "GET", path: "/api/shelters/{id}", access: Public },
    RouteSpec { method: "PUT", path: "/api/shelters/{id}/status", access: Roles(ShelterManager::ROLES) },
    RouteSpec { method: "PUT", path: "/api/shelters/{id}/facilities", access: Roles(ShelterManager::ROLES) },
    RouteSpec { method: "POST", path: "/api/auth/challenge", access: Public },
    RouteSpec { method: "POST", path: "/api/auth/jpki", access: Public },
    RouteSpec { method: "POST", path: "/api/auth/token", access: Public },
    RouteSpec { method: "POST", path: "/api/auth/logout", access: Public },
    RouteSpec { method: "GET", path: "/.well-known/jwks.json", access: Public },
    RouteSpec { method: "GET", path: "/api/me", access: Roles(ResidentOnly::ROLES) },
    RouteSpec { method: "POST", path: "/api/admin/card-renewals", access: Roles(AdminOnly::ROLES) },
];

pub fn all() -> Vec<RouteSpec> {
    [
        CORE,
        super::resident::ROUTES,
        super::shelter_ops::ROUTES,
        super::supplies::ROUTES,
        super::surveys::ROUTES,
        super::hq::ROUTES,
        super::incidents::ROUTES,
        super::notices::ROUTES,
        super::admin::ROUTES,
        super::staff_auth::ROUTES,
    ]
    .concat()
}
