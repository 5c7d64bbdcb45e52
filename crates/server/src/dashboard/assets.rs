//! The dashboard's static files, compiled into the binary and served with their content hash in
//! the name: a page always names the current version, so browsers may keep them for a year.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

struct Asset {
    /// `app`, `htmx`.
    stem: &'static str,
    /// `css`, `js`.
    extension: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const FILES: [Asset; 3] = [
    Asset {
        stem: "app",
        extension: "css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../assets/app.css"),
    },
    Asset {
        stem: "htmx",
        extension: "js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../assets/htmx-2.0.11.min.js"),
    },
    Asset {
        stem: "app",
        extension: "js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../assets/app.js"),
    },
];

/// Each file's public name (`app.1a2b3c4d5e.css`).
static NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|a| {
            let hash = hex::encode(Sha256::digest(a.body));
            format!("{}.{}.{}", a.stem, &hash[..10], a.extension)
        })
        .collect()
});

/// The URLs pages link to.
#[derive(Clone, Copy, Debug)]
pub struct AssetUrls;

impl AssetUrls {
    /// The stylesheet.
    pub fn css(&self) -> String {
        format!("/admin/assets/{}", NAMES[0])
    }

    /// htmx.
    pub fn htmx(&self) -> String {
        format!("/admin/assets/{}", NAMES[1])
    }

    /// Our script.
    pub fn app_js(&self) -> String {
        format!("/admin/assets/{}", NAMES[2])
    }
}

/// `GET /admin/assets/{name}`: only the current names exist.
pub async fn serve(Path(name): Path<String>) -> Response {
    let Some(i) = NAMES.iter().position(|n| *n == name) else { return StatusCode::NOT_FOUND.into_response() };
    let file = &FILES[i];
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(file.content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
        ],
        file.body,
    )
        .into_response()
}
