//! The whole API, driven in-process through every function's routes, against both databases.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use database::Backend;
use serde_json::json;
use support::{TestApp, request, send};

async fn signup_login_me_logout(app: TestApp) {
    let ada = app.signup("Ada@Example.com", "Acme").await;
    let me = app
        .call(Method::GET, "/v1/me", Some(&ada.token), None)
        .await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["user"]["email"], "ada@example.com");
    assert_eq!(me.header("cache-control"), "no-store");
    let tenants = app
        .call(Method::GET, "/v1/tenants", Some(&ada.token), None)
        .await;
    assert_eq!(tenants.status, StatusCode::OK);
    assert_eq!(
        tenants.body["tenants"][0]["tenant_id"].as_str(),
        Some(ada.tenant_id.as_str())
    );
    assert_eq!(tenants.body["tenants"][0]["tenant_name"], "Acme");
    assert_eq!(tenants.body["tenants"][0]["role"], "owner");

    let login = json!({"email": "ada@example.com", "password": "correct horse battery"});
    let session = app
        .call(Method::POST, "/v1/sessions", None, Some(login))
        .await;
    assert_eq!(session.status, StatusCode::CREATED, "{}", session.body);
    let token = session.body["token"].as_str().unwrap().to_owned();
    assert_ne!(token, ada.token);
    assert_eq!(session.body["user_id"].as_str(), Some(ada.user_id.as_str()));

    let out = app
        .call(Method::DELETE, "/v1/sessions/current", Some(&token), None)
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    app.call(Method::GET, "/v1/me", Some(&token), None)
        .await
        .assert_problem(401);
    // The signup session is a different session and still works.
    let still = app
        .call(Method::GET, "/v1/me", Some(&ada.token), None)
        .await;
    assert_eq!(still.status, StatusCode::OK);

    assert_eq!(app.metrics.count("Signups"), 1);
    assert_eq!(app.metrics.count("Logins"), 1);
}

async fn bad_signup_input_is_a_clear_4xx(app: TestApp) {
    let malformed = Request::post("/v1/signup")
        .header("content-type", "application/json")
        .body(Body::from("{\"email\":"))
        .unwrap();
    app.send(malformed).await.assert_problem(400);

    let text = Request::post("/v1/signup")
        .header("content-type", "text/plain")
        .body(Body::from("{}"))
        .unwrap();
    let reply = app.send(text).await;
    reply.assert_problem(415);
    assert_eq!(reply.fields(), ["content-type"]);
    let untyped = Request::post("/v1/signup").body(Body::from("{}")).unwrap();
    app.send(untyped).await.assert_problem(415);

    let missing = app
        .call(
            Method::POST,
            "/v1/signup",
            None,
            Some(json!({"email": "a@b.io"})),
        )
        .await;
    missing.assert_problem(422);
    assert_eq!(missing.fields(), ["password"]);

    let mistyped = json!({"email": 7, "password": "x"});
    let reply = app
        .call(Method::POST, "/v1/signup", None, Some(mistyped))
        .await;
    reply.assert_problem(422);
    assert_eq!(reply.fields(), ["email"]);

    let invalid = json!({"email": "nope", "password": "short"});
    let reply = app
        .call(Method::POST, "/v1/signup", None, Some(invalid))
        .await;
    reply.assert_problem(422);
    assert_eq!(reply.fields(), ["email", "password"]);

    // Look-alike addresses are refused rather than stored: a zero-width space, a bidi override.
    for email in ["ad\u{200b}a@example.com", "ada@exa\u{202e}mple.com"] {
        let body = json!({"email": email, "password": "correct horse battery"});
        let reply = app.call(Method::POST, "/v1/signup", None, Some(body)).await;
        reply.assert_problem(422);
        assert_eq!(reply.fields(), ["email"]);
    }

    let huge = json!({"email": "a@b.io", "password": "x".repeat(70 * 1024)});
    app.call(Method::POST, "/v1/signup", None, Some(huge))
        .await
        .assert_problem(413);

    // Nothing above created an account.
    assert_eq!(app.metrics.count("Signups"), 0);
    let login = json!({"email": "a@b.io", "password": "correct horse battery"});
    app.call(Method::POST, "/v1/sessions", None, Some(login))
        .await
        .assert_problem(401);
}

async fn duplicate_email_conflicts(app: TestApp) {
    app.signup("ada@bücher.de", "Acme").await;
    // The same mailbox in other case, and with its domain in ASCII (IDNA) form.
    for email in ["ADA@bücher.de", "ada@xn--bcher-kva.de"] {
        let again = json!({"email": email, "password": "another long password"});
        app.call(Method::POST, "/v1/signup", None, Some(again))
            .await
            .assert_problem(409);
    }
}

async fn bad_tenant_input_is_a_clear_4xx(app: TestApp) {
    let ada = app.signup("ada@example.com", "Acme").await;
    for name in [" ", "a\u{202e}b", &"x".repeat(101)] {
        let reply = app
            .call(
                Method::POST,
                "/v1/tenants",
                Some(&ada.token),
                Some(json!({"name": name})),
            )
            .await;
        reply.assert_problem(422);
        assert_eq!(reply.fields(), ["name"]);
    }
    app.call(
        Method::POST,
        "/v1/tenants",
        None,
        Some(json!({"name": "X"})),
    )
    .await
    .assert_problem(401);
    let tenants = app
        .call(Method::GET, "/v1/tenants", Some(&ada.token), None)
        .await;
    assert_eq!(tenants.body["tenants"].as_array().unwrap().len(), 1);
}

async fn wrong_credentials_are_401(app: TestApp) {
    app.signup("ada@example.com", "Acme").await;
    let wrong = json!({"email": "ada@example.com", "password": "not the password"});
    let unknown = json!({"email": "who@example.com", "password": "correct horse battery"});
    let short = json!({"email": "ada@example.com", "password": "short"});
    let a = app
        .call(Method::POST, "/v1/sessions", None, Some(wrong))
        .await;
    let b = app
        .call(Method::POST, "/v1/sessions", None, Some(unknown))
        .await;
    let c = app
        .call(Method::POST, "/v1/sessions", None, Some(short))
        .await;
    for reply in [&a, &b, &c] {
        reply.assert_problem(401);
        assert_eq!(reply.header("www-authenticate"), "Bearer");
    }
    assert_eq!(a.body["detail"], b.body["detail"]);
    assert_eq!(app.metrics.count("Logins"), 0);
}

async fn requests_without_a_valid_session_are_401(app: TestApp) {
    app.call(Method::GET, "/v1/me", None, None)
        .await
        .assert_problem(401);
    app.call(Method::GET, "/v1/me", Some("garbage"), None)
        .await
        .assert_problem(401);
    let forged = "A".repeat(43);
    app.call(Method::GET, "/v1/me", Some(&forged), None)
        .await
        .assert_problem(401);
    app.call(Method::GET, "/v1/tenants", Some(&forged), None)
        .await
        .assert_problem(401);
    app.call(Method::DELETE, "/v1/sessions/current", None, None)
        .await
        .assert_problem(401);
}

async fn the_bearer_scheme_is_case_insensitive(app: TestApp) {
    let ada = app.signup("ada@example.com", "Acme").await;
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let req = Request::get("/v1/me")
            .header("authorization", format!("{scheme} {}", ada.token))
            .body(Body::empty())
            .unwrap();
        assert_eq!(app.send(req).await.status, StatusCode::OK, "{scheme}");
    }
}

/// Sessions stop working at their expiry, and the expired row is removed.
#[tokio::test]
async fn expired_sessions_are_refused() {
    let db = testkit::TestDb::postgres(&app::MIGRATIONS).await;
    let Backend::Postgres(pg) = db.backend.clone() else {
        unreachable!("a PostgreSQL test database");
    };
    let app = TestApp::with_session_ttl(db, time::Duration::seconds(-1));
    let body = json!({"email": "ada@example.com", "password": "correct horse battery"});
    let ada = app.call(Method::POST, "/v1/signup", None, Some(body)).await;
    let token = ada.body["token"].as_str().unwrap();
    app.call(Method::GET, "/v1/me", Some(token), None)
        .await
        .assert_problem(401);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(pg.raw_pool())
        .await
        .unwrap();
    assert_eq!(left, 0);
}

async fn request_ids_are_kept_or_made(app: TestApp) {
    let given = Request::get("/v1/health")
        .header("x-request-id", "abc-123")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(given).await.header("x-request-id"), "abc-123");
    let made = app.call(Method::GET, "/v1/health", None, None).await;
    assert_eq!(made.header("x-request-id").len(), 36);
    let problem = Request::get("/v1/me")
        .header("x-request-id", "req-9")
        .body(Body::empty())
        .unwrap();
    let reply = app.send(problem).await;
    assert_eq!(reply.body["request_id"], "req-9");
    // An overlong or unprintable id is replaced, never echoed.
    for smuggled in ["x".repeat(200), "two words".to_owned()] {
        let req = Request::get("/v1/me")
            .header("x-request-id", smuggled.as_str())
            .body(Body::empty())
            .unwrap();
        let reply = app.send(req).await;
        assert_eq!(reply.header("x-request-id").len(), 36, "{smuggled}");
        assert_eq!(
            reply.body["request_id"].as_str(),
            Some(reply.header("x-request-id"))
        );
    }
}

async fn unknown_routes_and_methods_are_problems(app: TestApp) {
    app.call(Method::GET, "/v1/nothing", None, None)
        .await
        .assert_problem(404);
    app.call(Method::PUT, "/v1/me", None, None)
        .await
        .assert_problem(405);
}

async fn health_and_readiness(app: TestApp) {
    let live = app.call(Method::GET, "/v1/health", None, None).await;
    assert_eq!(
        (live.status, live.body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    let ready = app.call(Method::GET, "/v1/health/ready", None, None).await;
    assert_eq!(
        (ready.status, ready.body["status"].as_str()),
        (StatusCode::OK, Some("ready"))
    );
}

async fn members_paginate_with_a_cursor(app: TestApp) {
    let owner = app.signup("owner@example.com", "Acme").await;
    for i in 0..4 {
        app.signup(&format!("m{i}@example.com"), "Own").await;
        assert_eq!(
            app.add(&owner, &format!("m{i}@example.com"), "member")
                .await
                .status,
            StatusCode::OK
        );
    }
    let base = format!("/v1/tenants/{}/members", owner.tenant_id);
    let mut emails = Vec::new();
    let mut path = format!("{base}?limit=2");
    loop {
        let page = app.call(Method::GET, &path, Some(&owner.token), None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let members = page.body["members"].as_array().unwrap();
        assert!(members.len() <= 2);
        emails.extend(
            members
                .iter()
                .map(|m| m["email"].as_str().unwrap().to_owned()),
        );
        match page.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("{base}?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    emails.sort();
    assert_eq!(
        emails,
        [
            "m0@example.com",
            "m1@example.com",
            "m2@example.com",
            "m3@example.com",
            "owner@example.com"
        ]
    );

    let bad_cursor = app
        .call(
            Method::GET,
            &format!("{base}?cursor=zzz"),
            Some(&owner.token),
            None,
        )
        .await;
    bad_cursor.assert_problem(400);
    assert_eq!(bad_cursor.fields(), ["cursor"]);
    for limit in ["0", "101", "ten"] {
        let reply = app
            .call(
                Method::GET,
                &format!("{base}?limit={limit}"),
                Some(&owner.token),
                None,
            )
            .await;
        reply.assert_problem(400);
        assert_eq!(reply.fields(), ["limit"]);
    }
    let tenant = app
        .call(
            Method::GET,
            &format!("/v1/tenants/{}", owner.tenant_id),
            Some(&owner.token),
            None,
        )
        .await;
    assert_eq!(tenant.body["name"], "Acme");
    let bad_id = app
        .call(
            Method::GET,
            "/v1/tenants/not-a-uuid",
            Some(&owner.token),
            None,
        )
        .await;
    bad_id.assert_problem(400);
    assert_eq!(bad_id.fields(), ["tenant_id"]);
}

async fn roles_govern_member_management(app: TestApp) {
    let owner = app.signup("owner@example.com", "Acme").await;
    let admin = app.signup("admin@example.com", "A").await;
    let member = app.signup("member@example.com", "M").await;
    app.signup("new@example.com", "N").await;
    let t = &owner.tenant_id;

    assert_eq!(
        app.add(&owner, "admin@example.com", "admin").await.status,
        StatusCode::OK
    );
    app.add(&owner, "admin@example.com", "member")
        .await
        .assert_problem(409);
    let as_admin = support::User {
        tenant_id: t.clone(),
        ..admin
    };
    assert_eq!(
        app.add(&as_admin, "member@example.com", "member")
            .await
            .status,
        StatusCode::OK
    );
    app.add(&as_admin, "new@example.com", "owner")
        .await
        .assert_problem(403);
    let as_member = support::User {
        tenant_id: t.clone(),
        ..member
    };
    app.add(&as_member, "new@example.com", "member")
        .await
        .assert_problem(403);
    let bad_email = app.invite(&owner, "not-an-email", "member").await;
    bad_email.assert_problem(422);
    assert_eq!(bad_email.fields(), ["email"]);
    let bad_role = app.add(&owner, "new@example.com", "root").await;
    bad_role.assert_problem(422);
    assert_eq!(bad_role.fields(), ["role"]);

    let owner_path = format!("/v1/tenants/{t}/members/{}", owner.user_id);
    let member_path = format!("/v1/tenants/{t}/members/{}", as_member.user_id);
    let demote_owner = json!({"role": "member"});
    // An admin cannot touch an owner; the last owner cannot step down.
    app.call(
        Method::PATCH,
        &owner_path,
        Some(&as_admin.token),
        Some(demote_owner.clone()),
    )
    .await
    .assert_problem(403);
    app.call(
        Method::PATCH,
        &owner_path,
        Some(&owner.token),
        Some(demote_owner),
    )
    .await
    .assert_problem(409);
    app.call(Method::DELETE, &owner_path, Some(&owner.token), None)
        .await
        .assert_problem(409);
    // A member cannot promote themselves.
    let promote = json!({"role": "admin"});
    app.call(
        Method::PATCH,
        &member_path,
        Some(&as_member.token),
        Some(promote.clone()),
    )
    .await
    .assert_problem(403);
    let promoted = app
        .call(
            Method::PATCH,
            &member_path,
            Some(&as_admin.token),
            Some(promote),
        )
        .await;
    assert_eq!(
        (promoted.status, promoted.body["role"].as_str()),
        (StatusCode::OK, Some("admin"))
    );
    // Anyone may leave.
    let left = app
        .call(Method::DELETE, &member_path, Some(&as_member.token), None)
        .await;
    assert_eq!(left.status, StatusCode::NO_CONTENT);
    app.call(Method::DELETE, &member_path, Some(&owner.token), None)
        .await
        .assert_problem(404);
}

async fn another_tenant_is_invisible_on_every_route(app: TestApp) {
    let a = app.signup("a@example.com", "A").await;
    let b = app.signup("b@example.com", "B").await;
    app.signup("c@example.com", "C").await;
    let ta = &a.tenant_id;
    let a_member = format!("/v1/tenants/{ta}/members/{}", a.user_id);
    let hook = app
        .call(
            Method::POST,
            &format!("/v1/tenants/{ta}/webhooks"),
            Some(&a.token),
            Some(json!({"url": "https://hooks.example.com/a"})),
        )
        .await;
    assert_eq!(hook.status, StatusCode::CREATED, "{}", hook.body);
    let a_hook = format!(
        "/v1/tenants/{ta}/webhooks/{}",
        hook.body["id"].as_str().unwrap()
    );
    let probes = [
        (Method::GET, format!("/v1/tenants/{ta}"), None),
        (Method::GET, format!("/v1/tenants/{ta}/members"), None),
        (
            Method::POST,
            format!("/v1/tenants/{ta}/invitations"),
            Some(json!({"email": "c@example.com", "role": "owner"})),
        ),
        (Method::GET, format!("/v1/tenants/{ta}/invitations"), None),
        (
            Method::POST,
            format!("/v1/tenants/{ta}/webhooks"),
            Some(json!({"url": "https://hooks.example.com/a"})),
        ),
        (Method::GET, format!("/v1/tenants/{ta}/webhooks"), None),
        (Method::GET, format!("/v1/tenants/{ta}/dashboard"), None),
        (Method::DELETE, a_hook.clone(), None),
        (Method::GET, format!("{a_hook}/deliveries"), None),
        (
            Method::DELETE,
            format!("/v1/tenants/{ta}/invitations/{}", a.user_id),
            None,
        ),
        (
            Method::PATCH,
            a_member.clone(),
            Some(json!({"role": "member"})),
        ),
        (Method::DELETE, a_member, None),
    ];
    for (method, path, body) in probes {
        let reply = app.call(method.clone(), &path, Some(&b.token), body).await;
        reply.assert_problem(404);
        assert!(
            !reply.body.to_string().contains(&a.user_id),
            "{method} {path} leaked data"
        );
    }
    // Tenant A is untouched.
    let members = app
        .call(
            Method::GET,
            &format!("/v1/tenants/{ta}/members"),
            Some(&a.token),
            None,
        )
        .await;
    let list = members.body["members"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["role"], "owner");
    let hooks = app
        .call(
            Method::GET,
            &format!("/v1/tenants/{ta}/webhooks"),
            Some(&a.token),
            None,
        )
        .await;
    assert_eq!(
        hooks.body["endpoints"].as_array().map(Vec::len),
        Some(1),
        "{}",
        hooks.body
    );
    let tenants_b = app
        .call(Method::GET, "/v1/tenants", Some(&b.token), None)
        .await;
    let listed = tenants_b.body["tenants"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["tenant_id"].as_str(), Some(b.tenant_id.as_str()));
}

async fn every_route_is_documented(app: TestApp) {
    let doc = app.call(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.body["openapi"], "3.1.0");
    let routes = [
        ("post", "/v1/signup"),
        ("post", "/v1/sessions"),
        ("delete", "/v1/sessions/current"),
        ("get", "/v1/me"),
        ("get", "/v1/health"),
        ("get", "/v1/health/ready"),
        ("get", "/v1/tenants"),
        ("post", "/v1/tenants"),
        ("get", "/v1/tenants/{tenant_id}"),
        ("get", "/v1/tenants/{tenant_id}/members"),
        ("get", "/v1/tenants/{tenant_id}/invitations"),
        ("post", "/v1/tenants/{tenant_id}/invitations"),
        (
            "delete",
            "/v1/tenants/{tenant_id}/invitations/{invitation_id}",
        ),
        ("post", "/v1/invitations/accept"),
        ("post", "/v1/password-resets"),
        ("post", "/v1/password-resets/confirm"),
        ("get", "/v1/tenants/{tenant_id}/webhooks"),
        ("post", "/v1/tenants/{tenant_id}/webhooks"),
        ("delete", "/v1/tenants/{tenant_id}/webhooks/{endpoint_id}"),
        (
            "get",
            "/v1/tenants/{tenant_id}/webhooks/{endpoint_id}/deliveries",
        ),
        ("patch", "/v1/tenants/{tenant_id}/members/{user_id}"),
        ("delete", "/v1/tenants/{tenant_id}/members/{user_id}"),
        ("get", "/openapi.json"),
        ("get", "/v1/plans"),
        ("get", "/v1/tenants/{tenant_id}/dashboard"),
        ("post", "/v1/webhooks/inbound"),
    ];
    let paths = doc.body["paths"].as_object().unwrap();
    let documented: usize = paths
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum();
    assert_eq!(
        documented,
        routes.len(),
        "the document and this list disagree"
    );
    let id = "00000000-0000-7000-8000-000000000000";
    for (method, path) in routes {
        assert!(
            paths[path][method].is_object(),
            "{method} {path} is not documented"
        );
        // And the router really serves it: no "route not found" for a documented route.
        let concrete = path
            .replace("{tenant_id}", id)
            .replace("{user_id}", id)
            .replace("{invitation_id}", id)
            .replace("{endpoint_id}", id);
        let reply = app
            .call(
                method.to_uppercase().parse().unwrap(),
                &concrete,
                None,
                None,
            )
            .await;
        assert_ne!(reply.body["detail"], "route not found", "{method} {path}");
        assert_ne!(
            reply.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
    }
}

/// The document each function serves at `/openapi.json` is the committed `docs/openapi.json`,
/// which must equal the document generated from the code.
#[test]
fn the_committed_document_is_the_generated_one() {
    let generated: serde_json::Value =
        serde_json::from_str(&web::openapi::to_json(&app::openapi())).unwrap();
    let committed: serde_json::Value = serde_json::from_str(accounts_api::API_DOCUMENT).unwrap();
    assert!(
        generated == committed,
        "docs/openapi.json is stale: run `cargo run -q -p app --bin server -- --openapi \
         | python3 -m json.tool > docs/openapi.json`"
    );
}

async fn each_function_serves_only_its_routes(app: TestApp) {
    let (accounts, tenants) = app.functions();
    let signup = || request(Method::POST, "/v1/signup", None, Some(json!({})));
    send(&tenants, signup()).await.assert_problem(404);
    assert_eq!(
        send(&accounts, signup()).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let tenant = || request(Method::GET, "/v1/tenants/x", None, None);
    send(&accounts, tenant()).await.assert_problem(404);
    send(&tenants, tenant()).await.assert_problem(401);
    let document = || request(Method::GET, "/openapi.json", None, None);
    assert_eq!(send(&accounts, document()).await.status, StatusCode::OK);
    send(&tenants, document()).await.assert_problem(404);
    for router in [&tenants, &accounts] {
        let health = send(router, request(Method::GET, "/v1/health", None, None)).await;
        assert_eq!(health.status, StatusCode::OK);
    }
}

/// A reset request answers 202 whether or not the email has an account; the mailed token sets
/// a new password once, and every session of the account ends.
async fn password_reset_replaces_the_password_and_ends_sessions(app: TestApp) {
    let ada = app.signup("ada@example.com", "Acme").await;
    let login = |password: &str| json!({"email": "ada@example.com", "password": password});
    let second = app
        .call(
            Method::POST,
            "/v1/sessions",
            None,
            Some(login("correct horse battery")),
        )
        .await;
    let second = second.body["token"].as_str().unwrap().to_owned();

    for email in ["ada@example.com", "nobody@example.com"] {
        let asked = app
            .call(
                Method::POST,
                "/v1/password-resets",
                None,
                Some(json!({"email": email})),
            )
            .await;
        assert_eq!(
            asked.status,
            StatusCode::ACCEPTED,
            "{email}: {}",
            asked.body
        );
        assert_eq!(
            asked.body,
            serde_json::Value::Null,
            "the same empty answer for both"
        );
    }
    let bad = app
        .call(
            Method::POST,
            "/v1/password-resets",
            None,
            Some(json!({"email": "not-an-email"})),
        )
        .await;
    bad.assert_problem(422);
    assert_eq!(bad.fields(), ["email"]);

    let requested: Vec<serde_json::Value> = testkit::outbox(&app.platform.backend)
        .await
        .into_iter()
        .filter(|(kind, _)| kind == "identity.password_reset_requested")
        .map(|(_, payload)| payload)
        .collect();
    assert_eq!(
        requested.len(),
        1,
        "no reset for an email without an account"
    );
    assert_eq!(requested[0]["email"], "ada@example.com");
    let token = requested[0]["token"].as_str().unwrap().to_owned();

    let confirm = |token: &str, password: &str| json!({"token": token, "password": password});
    let path = "/v1/password-resets/confirm";
    let wrong = app
        .call(
            Method::POST,
            path,
            None,
            Some(confirm("AAAA", "a much better passphrase")),
        )
        .await;
    wrong.assert_problem(422);
    assert_eq!(wrong.fields(), ["token"]);
    let short = app
        .call(Method::POST, path, None, Some(confirm(&token, "short")))
        .await;
    short.assert_problem(422);
    assert_eq!(short.fields(), ["password"]);
    let done = app
        .call(
            Method::POST,
            path,
            None,
            Some(confirm(&token, "a much better passphrase")),
        )
        .await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.body);

    for session in [&ada.token, &second] {
        app.call(Method::GET, "/v1/me", Some(session), None)
            .await
            .assert_problem(401);
    }
    app.call(
        Method::POST,
        "/v1/sessions",
        None,
        Some(login("correct horse battery")),
    )
    .await
    .assert_problem(401);
    let fresh = app
        .call(
            Method::POST,
            "/v1/sessions",
            None,
            Some(login("a much better passphrase")),
        )
        .await;
    assert_eq!(fresh.status, StatusCode::CREATED);
    let again = app
        .call(
            Method::POST,
            path,
            None,
            Some(confirm(&token, "yet another passphrase")),
        )
        .await;
    again.assert_problem(404);
    let unknown = "A".repeat(43);
    app.call(
        Method::POST,
        path,
        None,
        Some(confirm(&unknown, "yet another passphrase")),
    )
    .await
    .assert_problem(404);
}

/// An invitation answers the same whether or not its email has an account; it is listed until
/// it is accepted or revoked; it works once, only for its own email; someone without an
/// account signs up, then accepts.
async fn invitations_bring_members_in_with_their_consent(app: TestApp) {
    let owner = app.signup("owner@example.com", "Acme").await;
    app.signup("grace@example.com", "Grace's").await;
    let with_account = app.invite(&owner, "grace@example.com", "admin").await;
    let without = app.invite(&owner, "lin@example.com", "member").await;
    assert_eq!(
        with_account.status,
        StatusCode::ACCEPTED,
        "{}",
        with_account.body
    );
    assert_eq!(without.status, StatusCode::ACCEPTED, "{}", without.body);
    let shape = |r: &support::Reply| {
        let mut keys: Vec<String> = r.body.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(
        shape(&with_account),
        shape(&without),
        "no hint of which email has an account"
    );

    let list_path = format!("/v1/tenants/{}/invitations", owner.tenant_id);
    let listed = app
        .call(Method::GET, &list_path, Some(&owner.token), None)
        .await;
    let emails: Vec<&str> = listed.body["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        ["lin@example.com", "grace@example.com"],
        "newest first"
    );

    // Someone else cannot use Grace's invitation, even with its token.
    let grace_token = app.invitation_token("grace@example.com").await;
    let mallory = app.signup("mallory@example.com", "M").await;
    app.call(
        Method::POST,
        "/v1/invitations/accept",
        Some(&mallory.token),
        Some(json!({"token": grace_token})),
    )
    .await
    .assert_problem(403);
    let joined = app.accept("grace@example.com").await;
    assert_eq!(joined.status, StatusCode::OK, "{}", joined.body);
    assert_eq!(
        (
            joined.body["tenant_id"].as_str(),
            joined.body["role"].as_str()
        ),
        (Some(owner.tenant_id.as_str()), Some("admin"))
    );
    app.accept("grace@example.com").await.assert_problem(404);

    // Lin has no account: signs up through the invitation, then accepts.
    app.signup("lin@example.com", "Lin's").await;
    let lin = app.accept("lin@example.com").await;
    assert_eq!(
        (lin.status, lin.body["role"].as_str()),
        (StatusCode::OK, Some("member"))
    );
    let members = app
        .call(
            Method::GET,
            &format!("/v1/tenants/{}/members", owner.tenant_id),
            Some(&owner.token),
            None,
        )
        .await;
    assert_eq!(members.body["members"].as_array().unwrap().len(), 3);

    // A revoked invitation's link stops working.
    let revoked = app.invite(&owner, "cy@example.com", "member").await;
    let id = revoked.body["id"].as_str().unwrap();
    let path = format!("{list_path}/{id}");
    let gone = app
        .call(Method::DELETE, &path, Some(&owner.token), None)
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let again = app
        .call(Method::DELETE, &path, Some(&owner.token), None)
        .await;
    assert_eq!(
        again.status,
        StatusCode::NO_CONTENT,
        "revoking is idempotent"
    );
    let unknown = format!("{list_path}/{}", owner.user_id);
    app.call(Method::DELETE, &unknown, Some(&owner.token), None)
        .await
        .assert_problem(404);
    app.signup("cy@example.com", "Cy's").await;
    app.accept("cy@example.com").await.assert_problem(404);
    let malformed = app
        .call(
            Method::POST,
            "/v1/invitations/accept",
            Some(&mallory.token),
            Some(json!({"token": "not a token"})),
        )
        .await;
    malformed.assert_problem(422);
    assert_eq!(malformed.fields(), ["token"]);
}

against_both_databases!(
    invitations_bring_members_in_with_their_consent,
    password_reset_replaces_the_password_and_ends_sessions,
    signup_login_me_logout,
    bad_signup_input_is_a_clear_4xx,
    duplicate_email_conflicts,
    bad_tenant_input_is_a_clear_4xx,
    the_bearer_scheme_is_case_insensitive,
    wrong_credentials_are_401,
    requests_without_a_valid_session_are_401,
    request_ids_are_kept_or_made,
    unknown_routes_and_methods_are_problems,
    health_and_readiness,
    members_paginate_with_a_cursor,
    roles_govern_member_management,
    another_tenant_is_invisible_on_every_route,
    every_route_is_documented,
    each_function_serves_only_its_routes,
);

/// A database that is down yields 503 with Retry-After, never a 500.
#[tokio::test]
async fn database_down_is_503() {
    let settings = database::postgres::PoolSettings {
        max_connections: 1,
        acquire_timeout: std::time::Duration::from_millis(500),
        ..database::postgres::PoolSettings::default()
    };
    let db =
        database::postgres::connect_lazy("postgres://postgres@127.0.0.1:1/none", settings).unwrap();
    let app = TestApp::on(Backend::Postgres(db), None, time::Duration::hours(1));
    let ready = app.call(Method::GET, "/v1/health/ready", None, None).await;
    ready.assert_problem(503);
    assert_eq!(ready.header("retry-after"), "1");
    let signup = json!({"email": "a@b.io", "password": "correct horse battery"});
    app.call(Method::POST, "/v1/signup", None, Some(signup))
        .await
        .assert_problem(503);
    let me = app
        .call(Method::GET, "/v1/me", Some(&"A".repeat(43)), None)
        .await;
    me.assert_problem(503);
    assert!(
        !me.body.to_string().contains("127.0.0.1"),
        "internal detail leaked: {}",
        me.body
    );
}
