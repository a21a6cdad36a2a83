#!/usr/bin/env bash
# The API document against the real server: schemathesis fuzzes every operation of
# /openapi.json, with every check, against the local server on a fresh SQLite file, so that a
# document that drifts from the server fails the build. Run by scripts/test; runs alone too:
#   scripts/lib/schemathesis.sh
#
# What it does:
# - starts the debug `server` (built by `cargo test`; built here when missing) on 127.0.0.1, a
#   free port and a fresh SQLite file in a temp dir, and always stops it and removes the dir;
# - with curl, signs up the account the run acts as, creates its tenant, and signs up eight more
#   accounts: members of that tenant, owners of tenants that invite the account, accounts to
#   invite; and asks for a password reset, so that live tokens can be fuzzed with;
# - runs schemathesis with every check, authenticated as that account, bounded in examples per
#   operation (ST_MAX_EXAMPLES, 100) and in wall-clock time (ST_TIMEOUT, 180 seconds; a run takes
#   about a minute on 2 cores), derandomized so that every run on the same tree generates the
#   same inputs. Any failure or warning exits non-zero after schemathesis's report.
# ST_SEED=<n> (with, say, ST_MAX_EXAMPLES=300 ST_TIMEOUT=900) explores with random inputs instead:
# for hunting disagreements, not for CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
# shellcheck source=infra-common.sh
source scripts/lib/infra-common.sh

# Pinned: a new release adds checks and changes generation, which must not fail an unchanged
# tree. pytest and packaging are held where checkov (same .venv) accepts them.
SCHEMATHESIS_VERSION="4.32.5"
ST_MAX_EXAMPLES="${ST_MAX_EXAMPLES:-100}"
ST_TIMEOUT="${ST_TIMEOUT:-180}"
if [ -n "${ST_SEED:-}" ]; then
  GENERATION=(--seed "$ST_SEED")
else
  GENERATION=(--generation-deterministic)
fi

infra_venv
infra_pip_ensure st "schemathesis==$SCHEMATHESIS_VERSION" 'pytest>=8.4,<9' 'packaging>=23,<24'

SERVER="${CARGO_TARGET_DIR:-target}/debug/server"
[ -x "$SERVER" ] || cargo build -q --locked -p app --bin server

WORK="$(mktemp -d "${TMPDIR:-/tmp}/schemathesis.XXXXXX")"
SERVER_PID=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT="$(infra_free_port)"
API="http://127.0.0.1:$PORT"
# No in-process job consumers: a webhook must never go to a URL the fuzzer made up. No rate
# limits: the fuzzer sends thousands of requests from one address and one session. Inbound
# webhooks on, with a secret of this run, so that their checks are what the fuzzer meets.
INBOUND_SECRET="whsec_$(head -c 32 /dev/urandom | base64 -w0)"
HOST=127.0.0.1 PORT="$PORT" SQLITE_PATH="$WORK/api.sqlite" PASSWORD_HASH_CONCURRENCY=2 \
  JOBS_IN_PROCESS=false RATE_LIMITS=off MAIL_DIR="$WORK/mail" INBOUND_WEBHOOK_SECRET="$INBOUND_SECRET" \
  LOG_FORMAT=json "$SERVER" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 150); do
  curl -fs -o /dev/null "$API/v1/health" && break
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "the server exited:" >&2
    cat "$WORK/server.log" >&2
    exit 1
  fi
  sleep 0.2
done
curl -fs -o /dev/null "$API/v1/health" || {
  echo "the server did not answer /v1/health on $API:" >&2
  cat "$WORK/server.log" >&2
  exit 1
}
echo "  server pid $SERVER_PID on $API (SQLite in $WORK)"

# The run's data: the account it acts as, which owns a tenant; members of that tenant (joined
# by invitation) for the member routes to act on; live tokens the account can use (invitations
# of its email to other tenants, a password reset of another account); and accounts to invite,
# none a member yet: Grace, whose email is the example, and a few more.
field() { "$VENV/bin/python" -c "import json, sys; print(json.load(sys.stdin)$1)"; }
json_post() { curl -fsS "$API$1" -H 'content-type: application/json' "${@:3}" -d "$2"; }
signup() { json_post /v1/signup "{\"email\":\"$1\",\"password\":\"$PASSWORD\"}"; }
bearer() { echo "authorization: Bearer $1"; }
# The token in the newest outbox event of type $1 for email $2 (mail is not sent in this run).
outbox_token() {
  "$VENV/bin/python" - "$WORK/api.sqlite" "$1" "$2" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT payload FROM outbox WHERE event_type = ? ORDER BY created_at DESC", (sys.argv[2],))
print(next(p["token"] for (raw,) in rows for p in [json.loads(raw)] if p["email"] == sys.argv[3]))
PY
}
EMAIL="fuzz@example.com"
PASSWORD="correct horse battery staple"
TOKEN="$(signup "$EMAIL" | field '["token"]')"
TENANT_ID="$(json_post /v1/tenants '{"name":"Fuzz"}' -H "$(bearer "$TOKEN")" | field '["id"]')"
# Quoted for TOML; joined into arrays below.
emails=() ids=() invitations=()
for email in grace@example.com member{1..7}@example.com; do
  session="$(signup "$email")"
  ids+=("\"$(echo "$session" | field '["user_id"]')\"")
  case $email in
    member[1-4]@*) # members of the run's tenant
      json_post "/v1/tenants/$TENANT_ID/invitations" "{\"email\":\"$email\",\"role\":\"member\"}" \
        -H "$(bearer "$TOKEN")" >/dev/null
      json_post /v1/invitations/accept \
        "{\"token\":\"$(outbox_token tenancy.member_invited "$email")\"}" \
        -H "$(bearer "$(echo "$session" | field '["token"]')")" >/dev/null ;;
    member[5-7]@*) # owners of tenants that invite the run's account
      other="$(json_post /v1/tenants "{\"name\":\"Of $email\"}" \
        -H "$(bearer "$(echo "$session" | field '["token"]')")" | field '["id"]')"
      json_post "/v1/tenants/$other/invitations" "{\"email\":\"$EMAIL\",\"role\":\"member\"}" \
        -H "$(bearer "$(echo "$session" | field '["token"]')")" >/dev/null
      invitations+=("\"$(outbox_token tenancy.member_invited "$EMAIL")\"") ;;
    *) emails+=("\"$email\"") ;;
  esac
done
# A webhook endpoint of the run's tenant, so its delivery log is reached without depending on
# which endpoints the fuzzer happens to create.
ENDPOINT_ID="$(json_post "/v1/tenants/$TENANT_ID/webhooks" '{"url":"https://hooks.example.com/known"}' \
  -H "$(bearer "$TOKEN")" | field '["id"]')"
json_post /v1/password-resets '{"email":"member7@example.com"}' >/dev/null
RESET_TOKEN="$(outbox_token identity.password_reset_requested member7@example.com)"
toml_array() { local IFS=,; echo "[$*]"; }
OTHER_EMAILS="$(toml_array "${emails[@]}")"
OTHER_IDS="$(toml_array "${ids[@]}")"
INVITATION_TOKENS="$(toml_array "${invitations[@]}")"
echo "  acting as $EMAIL, owner of tenant $TENANT_ID; to invite: $OTHER_EMAILS"

cat >"$WORK/schemathesis.toml" <<TOML
# Generated by scripts/lib/schemathesis.sh for one run.

# A warning means the run did not test what it claims to (only 401s: the authentication broke;
# only 404s: the known ids are not reaching the operations, ...): fail on every one.
warnings = { fail-on = true }

# Authenticated as $EMAIL: a token from POST /v1/sessions, fetched again on a 401. A fixed
# Authorization header would not survive the run: DELETE /v1/sessions/current revokes the token
# it is sent with, and every operation tested after it would see only 401s.
[auth.dynamic.openapi.session]
path = "/v1/sessions"
payload = { email = "$EMAIL", password = "$PASSWORD" }
extract_selector = "/token"

# Known values, mixed with generated ones, so that requests reach past 404: the tenant the account
# owns, the other accounts' ids and emails, and the account's credentials for logging in.
[dictionaries.tenant]
values = ["$TENANT_ID"]
[dictionaries.user]
values = $OTHER_IDS
[dictionaries.member_email]
values = $OTHER_EMAILS
[dictionaries.login_email]
values = ["$EMAIL"]
[dictionaries.login_password]
values = ["$PASSWORD"]
[dictionaries.invitation_token]
values = $INVITATION_TOKENS
[dictionaries.reset_token]
values = ["$RESET_TOKEN"]
[dictionaries.endpoint]
values = ["$ENDPOINT_ID"]
[dictionaries.webhook_url]
values = ["https://hooks.example.com/saas", "https://crm.example.org/in/webhooks", "http://127.0.0.1:9/sink"]

[parameters]
"path.tenant_id" = { dictionary = "tenant", probability = 0.8 }
"path.user_id" = { dictionary = "user", probability = 0.8 }

# The known endpoint for its delivery log only: the fuzzer's deletes get ids of their own.
[[operations]]
include-name = "GET /v1/tenants/{tenant_id}/webhooks/{endpoint_id}/deliveries"
[operations.parameters]
"path.endpoint_id" = { dictionary = "endpoint", probability = 0.8 }

[[operations]]
include-name = "POST /v1/tenants/{tenant_id}/invitations"
[operations.parameters]
"body.email" = { dictionary = "member_email", probability = 0.5 }

# Which tokens are live (an invitation's, a password reset's) and which URLs this deployment may
# call (its URL policy, and what a host resolves to) is the server's state and configuration,
# which no schema can express: for these operations only, valid data may also meet 422 naming
# the field; the check keeps its other expectations (its default statuses, and 422).
[[operations]]
include-name = "POST /v1/invitations/accept"
[operations.parameters]
"body.token" = { dictionary = "invitation_token", probability = 0.5 }
[operations.checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", 401, 403, 404, 409, 422, 429, "5xx"]

[[operations]]
include-name = "POST /v1/password-resets/confirm"
[operations.parameters]
"body.token" = { dictionary = "reset_token", probability = 0.3 }
[operations.checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", 401, 403, 404, 409, 422, 429, "5xx"]

[[operations]]
include-name = "POST /v1/tenants/{tenant_id}/webhooks"
[operations.parameters]
"body.url" = { dictionary = "webhook_url", probability = 0.5 }
[operations.checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", 401, 403, 404, 409, 422, 429, "5xx"]

[[operations]]
include-name = "POST /v1/sessions"
[operations.parameters]
"body.email" = { dictionary = "login_email", probability = 0.7 }
"body.password" = { dictionary = "login_password", probability = 0.7 }
TOML

echo "  schemathesis $SCHEMATHESIS_VERSION: every check, at most $ST_MAX_EXAMPLES examples an" \
  "operation, ${ST_TIMEOUT}s at most"
# One worker: requests, and so the server's state, come in the same order on every run. In the
# temp dir, where schemathesis leaves its files.
status=0
(cd "$WORK" && timeout --kill-after=10 "$ST_TIMEOUT" "$VENV/bin/st" \
  --config-file "$WORK/schemathesis.toml" run "$API/openapi.json" \
  --checks all \
  --max-examples "$ST_MAX_EXAMPLES" \
  "${GENERATION[@]}" \
  --workers 1 \
  --no-color) || status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  echo "FAIL: schemathesis did not finish within ${ST_TIMEOUT}s" >&2
fi
if [ "$status" -ne 0 ]; then
  echo "-- server log (last 40 lines):" >&2
  tail -n 40 "$WORK/server.log" >&2
fi
exit "$status"
