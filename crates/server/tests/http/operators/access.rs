//! Credentials: tokens (create, use, expire, revoke), sessions (login, expiry, logout, rotation,
//! revocation by disabling or a new password), login limits, roles.

use std::time::Duration;

use frontdesk_server::access::client::ClientAddress;
use frontdesk_server::test_support::TestServer;
use frontdesk_store::backend_tests;
use frontdesk_store::test_support::TestDb;
use jiff::{SignedDuration, Timestamp};
use reqwest::Method;
use serde_json::json;

use super::{Auth, call, get, login, monday_morning, patch, post, start, token, user};

async fn tokens_work_until_they_expire_or_are_revoked(db: TestDb) {
    let server = start(db).await;
    let (status, made) = post(
        &server,
        &Auth::admin(),
        "/api/v1/tokens",
        json!({"name": "booking script", "role": "owner", "company": "friseur1"}),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    let secret = made["token"].as_str().unwrap().to_owned();
    assert!(secret.starts_with(made["prefix"].as_str().unwrap()), "the prefix recognises the token");
    assert!(secret.len() >= 3 + 12 + 1 + 64, "at least 32 random bytes");
    let auth = Auth::Bearer(secret.clone());
    let (status, me) = get(&server, &auth, "/api/v1/me").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!((me["role"].as_str(), me["company"].as_str()), (Some("owner"), Some("friseur1")));
    assert_eq!(me["actor"]["kind"], "token");

    let (_, listed) = get(&server, &Auth::admin(), "/api/v1/tokens").await;
    let listed = listed["items"].as_array().unwrap().iter().find(|t| t["id"] == made["id"]).unwrap().clone();
    assert!(listed.get("token").is_none() && !listed.to_string().contains(&secret[16..]), "never the secret");
    assert!(listed["last_used_at"].is_string(), "use is noted");

    // A token that has expired is refused like a wrong one.
    let soon = Timestamp::now() + SignedDuration::from_millis(1500);
    let (status, short) = post(
        &server,
        &Auth::admin(),
        "/api/v1/tokens",
        json!({"name": "short", "role": "staff", "company": "friseur1", "expires_at": soon.to_string()}),
    )
    .await;
    assert_eq!(status, 201, "{short}");
    let short = Auth::Bearer(short["token"].as_str().unwrap().to_owned());
    assert_eq!(get(&server, &short, "/api/v1/me").await.0, 200);
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(get(&server, &short, "/api/v1/me").await.0, 401, "expired");
    let (status, past) = post(
        &server,
        &Auth::admin(),
        "/api/v1/tokens",
        json!({"name": "past", "role": "staff", "company": "friseur1", "expires_at": "2020-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!((status, past["error"]["fields"][0]["field"].as_str()), (422, Some("expires_at")));

    // Revoked: refused at once.
    let (status, revoked, _) =
        call(&server, &Auth::admin(), Method::DELETE, &format!("/api/v1/tokens/{}", made["id"]), None).await;
    assert_eq!(status, 200, "{revoked}");
    assert_eq!(get(&server, &auth, "/api/v1/me").await.0, 401, "revoked");
    // A forged token with a real prefix is refused too.
    let forged = format!("{}_{}", made["prefix"].as_str().unwrap(), "0".repeat(64));
    assert_eq!(get(&server, &Auth::Bearer(forged), "/api/v1/me").await.0, 401);
    server.stop().await;
}

async fn sessions_expire_rotate_and_are_revoked(db: TestDb) {
    let mut settings = TestServer::settings(Some(monday_morning()));
    settings.session_ttl = Duration::from_secs(2);
    let server = TestServer::start(db, settings).await;
    let id = user(&server, "Owner@Friseur1.example", "owner", Some("friseur1"), "correct horse battery").await;

    assert_eq!(login(&server, "owner@friseur1.example", "wrong password!", None).await, (401, None));
    let (status, cookie) = login(&server, "OWNER@friseur1.example", "correct horse battery", None).await;
    assert_eq!(status, 200, "the e-mail address is matched in any case");
    let first = cookie.unwrap();
    let (status, me) = get(&server, &Auth::Cookie(first.clone()), "/api/v1/me").await;
    assert_eq!((status, me["actor"]["email"].as_str()), (200, Some("owner@friseur1.example")));

    // Logging in again with the old cookie rotates the session: the old one is dead.
    let (_, second) = login(&server, "owner@friseur1.example", "correct horse battery", Some(&first)).await;
    let second = second.unwrap();
    assert_ne!(first, second);
    assert_eq!(get(&server, &Auth::Cookie(first), "/api/v1/me").await.0, 401, "rotated on login");
    assert_eq!(get(&server, &Auth::Cookie(second.clone()), "/api/v1/me").await.0, 200);

    // Logging out ends it.
    let (status, _, headers) =
        call(&server, &Auth::Cookie(second.clone()), Method::POST, "/api/v1/auth/logout", None).await;
    assert_eq!(status, 204);
    assert!(headers["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(get(&server, &Auth::Cookie(second), "/api/v1/me").await.0, 401, "logged out");

    // It expires by itself.
    let (_, third) = login(&server, "owner@friseur1.example", "correct horse battery", None).await;
    let third = third.unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(get(&server, &Auth::Cookie(third), "/api/v1/me").await.0, 401, "expired");

    // A new password ends every session; disabling refuses logins.
    let (_, fourth) = login(&server, "owner@friseur1.example", "correct horse battery", None).await;
    let fourth = fourth.unwrap();
    let (status, changed) =
        patch(&server, &Auth::admin(), &format!("/api/v1/users/{id}"), json!({"password": "another long password"}))
            .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(get(&server, &Auth::Cookie(fourth), "/api/v1/me").await.0, 401, "a new password ends sessions");
    assert_eq!(login(&server, "owner@friseur1.example", "correct horse battery", None).await.0, 401);
    let (_, fifth) = login(&server, "owner@friseur1.example", "another long password", None).await;
    let fifth = fifth.unwrap();
    patch(&server, &Auth::admin(), &format!("/api/v1/users/{id}"), json!({"disabled": true})).await;
    assert_eq!(get(&server, &Auth::Cookie(fifth), "/api/v1/me").await.0, 401, "disabling ends sessions");
    assert_eq!(login(&server, "owner@friseur1.example", "another long password", None).await.0, 401);
    server.stop().await;
}

async fn a_cross_site_request_cannot_ride_on_the_cookie(db: TestDb) {
    let server = start(db).await;
    user(&server, "staff@friseur1.example", "staff", Some("friseur1"), "correct horse battery").await;
    let (_, cookie) = login(&server, "staff@friseur1.example", "correct horse battery", None).await;
    let cookie = cookie.unwrap();
    let response = server
        .client
        .post(format!("{}/api/v1/auth/logout", server.url))
        .header("cookie", format!("frontdesk_session={cookie}"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(get(&server, &Auth::Cookie(cookie), "/api/v1/me").await.0, 200, "the session survived");
    server.stop().await;
}

async fn failed_logins_lock_the_account_and_the_address(db: TestDb) {
    let mut settings = TestServer::settings(Some(monday_morning()));
    settings.client_address = ClientAddress::Peer;
    settings.login_limits.address_failures = 8;
    let server = TestServer::start(db, settings).await;
    user(&server, "anna@friseur1.example", "staff", Some("friseur1"), "correct horse battery").await;
    for _ in 0..5 {
        assert_eq!(login(&server, "anna@friseur1.example", "wrong password!", None).await.0, 401);
    }
    // Locked: even the right password is refused for now.
    let response = server
        .client
        .post(format!("{}/api/v1/auth/login", server.url))
        .json(&json!({"email": "anna@friseur1.example", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let wait: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(wait > 60, "the lock lasts minutes, not seconds: {wait}");
    // One address trying accounts that do not exist is stopped too.
    for i in 0..3 {
        assert_eq!(login(&server, &format!("nobody{i}@example.com"), "whatever password", None).await.0, 401);
    }
    assert_eq!(login(&server, "nobody9@example.com", "whatever password", None).await.0, 429, "per address");
    server.stop().await;
}

async fn each_role_does_what_it_may(db: TestDb) {
    let server = start(db).await;
    let owner = token(&server, "owner", Some("friseur1")).await;
    let staff = token(&server, "staff", Some("friseur1")).await;
    // Staff: the calendar and customers, not users, tokens or settings.
    for path in ["/api/v1/appointments", "/api/v1/customers", "/api/v1/callbacks", "/api/v1/calls", "/api/v1/audit"] {
        assert_eq!(get(&server, &staff, path).await.0, 200, "{path}");
    }
    for path in ["/api/v1/users", "/api/v1/tokens"] {
        assert_eq!(get(&server, &staff, path).await.0, 403, "{path}");
        assert_eq!(get(&server, &owner, path).await.0, 200, "{path}");
    }
    let new_staff = json!({"email": "new@friseur1.example", "role": "staff", "password": "correct horse battery"});
    assert_eq!(post(&server, &staff, "/api/v1/users", new_staff.clone()).await.0, 403);
    assert_eq!(post(&server, &staff, "/api/v1/tokens", json!({"name": "mine"})).await.0, 403);
    // Owners create their company's staff and owners, never platform admins or another
    // company's users.
    let (status, created) = post(&server, &owner, "/api/v1/users", new_staff).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["company_id"], 1, "in the owner's own company");
    let admin =
        json!({"email": "root@friseur1.example", "role": "platform_admin", "password": "correct horse battery"});
    assert_eq!(post(&server, &owner, "/api/v1/users", admin).await.0, 403);
    let elsewhere = json!({"email": "x@smile.example", "role": "staff", "company": "brightsmile", "password": "correct horse battery"});
    assert_eq!(
        post(&server, &owner, "/api/v1/users", elsewhere).await.0,
        404,
        "another company does not exist for them"
    );
    // A generated password is answered once.
    let (status, generated) =
        post(&server, &owner, "/api/v1/users", json!({"email": "gen@friseur1.example", "role": "staff"})).await;
    assert_eq!(status, 201);
    let password = generated["password"].as_str().unwrap();
    assert_eq!(login(&server, "gen@friseur1.example", password, None).await.0, 200);
    // Nobody hands out more than they have: a staff token cannot be made into an owner one.
    let (status, _) = post(&server, &owner, "/api/v1/tokens", json!({"name": "sync", "role": "platform_admin"})).await;
    assert_eq!(status, 403);
    let (status, dup) =
        post(&server, &owner, "/api/v1/users", json!({"email": "GEN@friseur1.example", "role": "staff"})).await;
    assert_eq!((status, dup["error"]["code"].as_str()), (409, Some("email_taken")));
    server.stop().await;
}

backend_tests!(
    tokens_work_until_they_expire_or_are_revoked,
    sessions_expire_rotate_and_are_revoked,
    a_cross_site_request_cannot_ride_on_the_cookie,
    failed_logins_lock_the_account_and_the_address,
    each_role_does_what_it_may,
);
