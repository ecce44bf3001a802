"""infra/template.yaml against the code: `bosai-local manifest` (functions, env, routes, table) and the
workspace's Cargo.toml files. The template is expanded with aws-sam-translator offline, as `sam deploy`
would deploy it. Run: scripts/infra-check.sh (or the infra venv's pytest tests/infra)."""

import json
import re
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT

LAMBDA = "AWS::Lambda::Function"


# ------------------------------------------------------------------ helpers

def resources(cfn, rtype):
    return {k: v for k, v in cfn["Resources"].items() if v["Type"] == rtype}


def ref_name(value):
    """The logical id a Ref / GetAtt / Sub "${X...}" points at (None for anything else)."""
    if isinstance(value, dict):
        if "Ref" in value:
            return value["Ref"]
        if "Fn::GetAtt" in value:
            att = value["Fn::GetAtt"]
            return att[0] if isinstance(att, list) else att.split(".")[0]
    return None


def branches(value):
    """Every value an Fn::If can take (both branches, recursively); AWS::NoValue dropped."""
    if isinstance(value, dict) and "Fn::If" in value:
        _, a, b = value["Fn::If"]
        return branches(a) + branches(b)
    if isinstance(value, dict) and value.get("Ref") == "AWS::NoValue":
        return []
    return [value]


def as_list(value):
    out = []
    for v in branches(value):
        if isinstance(v, list):
            for item in v:
                out.extend(branches(item))
        else:
            out.append(v)
    return out


def statements(role):
    out = []
    for policy in role["Properties"].get("Policies", []):
        for st in policy["PolicyDocument"]["Statement"]:
            out.extend(branches(st))
    return out


def binaries_in_workspace():
    """Binary name -> crate dir of every Lambda-able [[bin]]: not functions/local (the local stack),
    not bins behind required-features (test tools)."""
    out = {}
    for cargo in sorted((ROOT / "functions").glob("*/Cargo.toml")):
        crate = cargo.parent.relative_to(ROOT).as_posix()
        if crate == "functions/local":
            continue
        for b in tomllib.loads(cargo.read_text()).get("bin", []):
            if b.get("required-features"):
                continue
            assert b["name"] not in out, f"binary {b['name']} defined twice"
            out[b["name"]] = crate
    return out


@pytest.fixture(scope="session")
def functions(cfn):
    """Binary -> (logical id, resource) of every Lambda function."""
    out = {}
    for lid, res in resources(cfn, LAMBDA).items():
        binary = res.get("Metadata", {}).get("BuildProperties", {}).get("Binary")
        assert binary, f"{lid}: no Metadata.BuildProperties.Binary"
        assert res.get("Metadata", {}).get("BuildMethod") == "rust-cargolambda", lid
        assert binary not in out, f"binary {binary} deployed twice ({out.get(binary, ('',))[0]}, {lid})"
        out[binary] = (lid, res)
    return out


@pytest.fixture(scope="session")
def manifest_by_binary(manifest):
    return {f["binary"]: dict(f, name=name) for name, f in manifest["functions"].items()}


# ------------------------------------------------------------------ functions

def test_one_function_per_binary_crate(functions, manifest_by_binary):
    workspace = binaries_in_workspace()
    assert set(functions) == set(workspace), "Lambda functions vs [[bin]]s of functions/* (not local)"
    assert set(manifest_by_binary) == set(workspace), "manifest functions vs [[bin]]s of functions/*"
    for binary, f in manifest_by_binary.items():
        assert f["crate"] == workspace[binary], binary


def test_runtime_and_build(functions):
    for binary, (lid, res) in functions.items():
        p = res["Properties"]
        assert p["Runtime"] == "provided.al2023", lid
        assert p["Architectures"] == ["arm64"], lid
        assert p["Handler"] == "bootstrap", lid


def test_code_is_the_workspace(sam_template):
    code = sam_template["Globals"]["Function"]["CodeUri"]
    for lid, res in sam_template["Resources"].items():
        if res["Type"] == "AWS::Serverless::Function":
            assert res["Properties"].get("CodeUri", code) == "..", f"{lid}: CodeUri must be the repo root (cargo-lambda)"


def test_environment_matches_manifest(functions, manifest_by_binary):
    for binary, (lid, res) in functions.items():
        want = manifest_by_binary[binary]["env"]
        have = set(res["Properties"].get("Environment", {}).get("Variables", {}))
        required = {k for k, v in want.items() if v == "required"}
        assert not required - have, f"{lid}: required env not set"
        assert not have - set(want), f"{lid}: env the code does not read for {binary}"
        local = {k for k in have if want[k] == "local"}
        assert not local, f"{lid}: local-only env set on AWS"
        assert not {k for k in have if k.startswith("AWS_")}, f"{lid}: AWS_* is Lambda's own"


def env_of(functions, binary):
    return functions[binary][1]["Properties"]["Environment"]["Variables"]


def test_token_keys_env(functions):
    for binary, (lid, res) in functions.items():
        v = res["Properties"]["Environment"]["Variables"].get("BOSAI_TOKEN_KMS_KEYS")
        if v is None:
            continue
        assert v["Fn::If"][0] == "HasPreviousTokenKey", lid
        current, previous = v["Fn::If"][2], v["Fn::If"][1]
        assert ref_name(current) == "TokenKey", lid
        sep, parts = previous["Fn::Join"]
        assert sep == "," and ref_name(parts[0]) == "TokenKey" and parts[1] == {"Ref": "PreviousTokenKeyArn"}, lid


def test_secrets_env(functions, cfn):
    env = env_of(functions, "token")
    assert ref_name(env["BOSAI_PSEUDONYM_SECRET_ID"]) == "PseudonymSecret"
    secret = cfn["Resources"]["PseudonymSecret"]
    gen = secret["Properties"]["GenerateSecretString"]
    assert gen["PasswordLength"] == 64 and gen["ExcludePunctuation"] is True
    assert secret.get("DeletionPolicy") == "Retain"
    for binary in functions:
        e = env_of(functions, binary)
        if "BOSAI_VAPID_KEY_SECRET_ID" in e:
            assert e["BOSAI_VAPID_KEY_SECRET_ID"] == {"Ref": "VapidKeySecretArn"}, binary
        if binary != "token":
            assert "BOSAI_PSEUDONYM_SECRET_ID" not in e, binary


def test_jpki_crl_layer(functions, cfn, sam_template):
    layers = {k for k, v in sam_template["Resources"].items() if v["Type"] == "AWS::Serverless::LayerVersion"}
    assert len(layers) == 1
    layer = layers.pop()
    content = (ROOT / "infra" / sam_template["Resources"][layer]["Properties"]["ContentUri"]).resolve()
    assert content == ROOT / "infra" / "jpki-crls"
    (versions,) = [resources(cfn, "AWS::Lambda::LayerVersion")]  # SAM suffixes the logical id with a hash
    assert len(versions) == 1 and next(iter(versions)).startswith(layer)
    for binary, (lid, res) in functions.items():
        attached = [ref_name(x) for x in res["Properties"].get("Layers", [])]
        assert (set(attached) == set(versions)) == (binary == "token"), f"{lid}: the CRL layer is the token function's only"
    env = env_of(functions, "token")
    # A layer's zip is extracted under /opt: /opt/<dir> is <ContentUri>/<dir>.
    crls = env["BOSAI_JPKI_CRLS"]
    assert crls.startswith("/opt/") and (content / crls.removeprefix("/opt/")).is_dir(), crls
    assert env["BOSAI_JPKI_TRUST"] == "production"


def test_reserved_concurrency_and_schedules(functions, cfn):
    for binary in ("fanout", "purge"):
        assert functions[binary][1]["Properties"].get("ReservedConcurrentExecutions") == 1, binary
    schedules = {}
    for lid, rule in resources(cfn, "AWS::Events::Rule").items():
        for t in rule["Properties"]["Targets"]:
            schedules.setdefault(ref_name(t["Arn"]), []).append(rule["Properties"]["ScheduleExpression"])
    assert schedules.get(functions["fanout"][0]) == ["rate(1 minute)"]
    assert schedules.get(functions["purge"][0]) == ["rate(1 hour)"]


def test_fanout_stream_trigger(functions, cfn):
    lid = functions["fanout"][0]
    maps = [m for m in resources(cfn, "AWS::Lambda::EventSourceMapping").values() if ref_name(m["Properties"]["FunctionName"]) == lid]
    assert len(maps) == 1, "fanout: one stream trigger"
    p = maps[0]["Properties"]
    assert p["EventSourceArn"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
    patterns = [json.loads(f["Pattern"]) for f in p["FilterCriteria"]["Filters"]]
    assert patterns == [{"eventName": ["INSERT"], "dynamodb": {"Keys": {"sk": {"S": [{"prefix": "NOTICE#"}]}}}}]
    dest = p["DestinationConfig"]["OnFailure"]["Destination"]
    assert cfn["Resources"][ref_name(dest)]["Type"] == "AWS::SQS::Queue"
    others = [m for m in resources(cfn, "AWS::Lambda::EventSourceMapping").values() if ref_name(m["Properties"]["FunctionName"]) != lid]
    assert not others, "only fanout reads the stream"


def test_logs(functions, cfn):
    groups = resources(cfn, "AWS::Logs::LogGroup")
    assert groups
    for lid, g in groups.items():
        assert g["Properties"].get("RetentionInDays") == {"Ref": "LogRetentionDays"}, lid
    used = set()
    for binary, (lid, res) in functions.items():
        group = ref_name(res["Properties"]["LoggingConfig"]["LogGroup"])
        assert group in groups and group not in used, f"{lid}: its own log group"
        used.add(group)


# ------------------------------------------------------------------ routes

SEGMENT_RANK = {"literal": 0, "param": 1, "greedy": 2}


def seg_kind(seg):
    if seg.endswith("+}"):
        return "greedy"
    if seg.startswith("{") and seg.endswith("}"):
        return "param"
    return "literal"


def route_matches(template_path, path):
    t, p = template_path.strip("/").split("/"), path.strip("/").split("/")
    for i, seg in enumerate(t):
        kind = seg_kind(seg)
        if kind == "greedy":
            return len(p) > i  # {proxy+} needs at least one segment
        if i >= len(p):
            return False
        if kind == "literal" and seg != p[i]:
            return False
    return len(t) == len(p)


def choose_route(routes, method, path):
    """API Gateway HTTP API route selection: the most specific match wins, segment by segment from the
    left (a literal beats {param}, which beats {proxy+}); then an explicit method beats ANY.
    `path` is a concrete request path."""
    candidates = []
    for key in routes:
        if key == "$default":
            continue
        m, tpath = key.split(" ", 1)
        if m not in (method, "ANY") or not route_matches(tpath, path):
            continue
        rank = tuple(SEGMENT_RANK[seg_kind(s)] for s in tpath.strip("/").split("/"))
        # Longer literal prefixes first; a greedy match is less specific than any exact-length one.
        candidates.append(([r for r in rank], 0 if m == method else 1, key))
    if not candidates:
        return "$default" if "$default" in routes else None
    candidates.sort(key=lambda c: (c[0] + [3] * 20)[:20] + [c[1]])
    return candidates[0][2]


def concrete(path):
    """A request path for a manifest route template: each {param} becomes a sample value."""
    return re.sub(r"\{[^}/]+\}", "x1", path)


def test_route_precedence_model():
    routes = {"ANY /api/{proxy+}": "api", "ANY /api/auth/{proxy+}": "token", "GET /api/shelters/{id}/poster": "token",
              "GET /api/shelters/{id}": "x", "POST /api/shelters/{id}/poster": "y"}
    assert choose_route(routes, "GET", "/api/shelters/1/poster") == "GET /api/shelters/{id}/poster"
    assert choose_route(routes, "PUT", "/api/shelters/1/poster") == "ANY /api/{proxy+}"
    assert choose_route(routes, "POST", "/api/shelters/1/poster") == "POST /api/shelters/{id}/poster"
    assert choose_route(routes, "POST", "/api/auth/jpki") == "ANY /api/auth/{proxy+}"
    assert choose_route(routes, "GET", "/api/shelters/1") == "GET /api/shelters/{id}"
    assert choose_route(routes, "GET", "/api") is None
    assert choose_route({"ANY /a/{proxy+}": 1, "GET /{x}/b": 2}, "GET", "/a/b") == "ANY /a/{proxy+}"


@pytest.fixture(scope="session")
def api_routes(cfn, functions):
    """Route key -> binary, through the route's integration; asserts none leads nowhere."""
    by_lid = {lid: binary for binary, (lid, _) in functions.items()}
    integrations = resources(cfn, "AWS::ApiGatewayV2::Integration")
    apis = resources(cfn, "AWS::ApiGatewayV2::Api")
    assert len(apis) == 1
    out = {}
    for lid, r in resources(cfn, "AWS::ApiGatewayV2::Route").items():
        p = r["Properties"]
        assert ref_name(p["ApiId"]) in apis, lid
        target = p["Target"]["Fn::Sub"]
        m = re.fullmatch(r"integrations/\$\{(\w+)\}", target)
        assert m and m.group(1) in integrations, f"{lid}: target {target} is no integration"
        fn = ref_name(integrations[m.group(1)]["Properties"]["IntegrationUri"])
        assert fn in by_lid, f"{lid}: integration {m.group(1)} invokes no function"
        assert p["RouteKey"] not in out, f"route {p['RouteKey']} twice"
        out[p["RouteKey"]] = by_lid[fn]
    # Every function an integration invokes may be invoked by API Gateway.
    perms = {ref_name(p["Properties"]["FunctionName"]) for p in resources(cfn, "AWS::Lambda::Permission").values()
             if p["Properties"]["Principal"] == "apigateway.amazonaws.com"}
    for binary in set(out.values()):
        assert functions[binary][0] in perms, f"{binary}: no invoke permission for API Gateway"
    return out


def test_every_manifest_route_reaches_its_function(manifest, manifest_by_binary, api_routes):
    name_to_binary = {f["name"]: b for b, f in manifest_by_binary.items()}
    wrong = []
    for r in manifest["routes"]:
        key = choose_route(api_routes, r["method"], concrete(r["path"]))
        want = name_to_binary[r["function"]]
        got = api_routes.get(key)
        if got != want:
            wrong.append(f"{r['method']} {r['path']} -> {key} ({got}), manifest says {want}")
    assert not wrong, "\n".join(wrong)


def test_no_route_leads_nowhere(manifest, api_routes):
    """Every template route is the one chosen for some manifest route (no dead or stray routes)."""
    used = {choose_route(api_routes, r["method"], concrete(r["path"])) for r in manifest["routes"]}
    assert not set(api_routes) - used, "routes no manifest route reaches"


def test_http_functions_are_the_routed_ones(manifest_by_binary, api_routes):
    http = {b for b, f in manifest_by_binary.items() if f["trigger"] == "http"}
    assert set(api_routes.values()) == http


def test_cloudfront_sends_api_paths_to_the_api(cfn, manifest):
    dist = resources(cfn, "AWS::CloudFront::Distribution")
    (config,) = [d["Properties"]["DistributionConfig"] for d in dist.values()]
    origins = {o["Id"]: o for o in config["Origins"]}
    api_origin = [i for i, o in origins.items() if "execute-api" in json.dumps(o["DomainName"])]
    assert len(api_origin) == 1
    api_patterns = [b["PathPattern"] for b in config["CacheBehaviors"] if b["TargetOriginId"] == api_origin[0]]
    for b in config["CacheBehaviors"]:
        if b["TargetOriginId"] == api_origin[0]:
            assert b["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", b["PathPattern"]  # CachingDisabled
            assert b["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac", b["PathPattern"]  # AllViewerExceptHostHeader
            assert "FunctionAssociations" not in b, "API paths are never rewritten"
    for r in manifest["routes"]:
        path = concrete(r["path"])
        assert any(path.startswith(p.rstrip("*")) for p in api_patterns), f"{r['path']}: no CloudFront behaviour to the API"


def test_spa_rewrite_function(cfn):
    """The CloudFront Function's SPA fallback, run under node when present: same choices as the local stack."""
    import shutil
    import subprocess

    node = shutil.which("node")
    if not node:
        pytest.skip("node not installed")
    (fn,) = resources(cfn, "AWS::CloudFront::Function").values()
    code = fn["Properties"]["FunctionCode"]
    cases = {"/": "/index.html", "/hq": "/staff.html", "/hq/shelters/x": "/staff.html", "/shelter": "/staff.html",
             "/shelter/roster": "/staff.html", "/shelters": "/index.html", "/hqx": "/index.html",
             "/c/a.b.c": "/index.html", "/household": "/index.html", "/sw.js": "/sw.js",
             "/resident-0123456789abcdef.wasm": "/resident-0123456789abcdef.wasm", "/icons/icon.svg": "/icons/icon.svg",
             "/manifest.webmanifest": "/manifest.webmanifest", "/staff.html": "/staff.html",
             "/favicon.ico": "/favicon.ico"}
    script = code + "\nconst cases = " + json.dumps(list(cases)) + ";\n" + \
        "console.log(JSON.stringify(cases.map(u => handler({request: {uri: u}}).uri)));\n"
    out = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=30, check=True)
    assert dict(zip(cases, json.loads(out.stdout))) == cases


# ------------------------------------------------------------------ IAM

@pytest.fixture(scope="session")
def roles(cfn, functions):
    """Binary -> role statements (every Fn::If branch)."""
    all_roles = resources(cfn, "AWS::IAM::Role")
    out = {}
    for binary, (lid, res) in functions.items():
        role = ref_name(res["Properties"]["Role"])
        assert role in all_roles, f"{lid}: an explicit AWS::IAM::Role"
        assert role not in {r for r, _ in out.values()}, f"{lid}: shares its role"
        assert not all_roles[role]["Properties"].get("ManagedPolicyArns"), f"{role}: managed policies"
        out[binary] = (role, statements(all_roles[role]))
    assert not resources(cfn, "AWS::IAM::Policy") and not resources(cfn, "AWS::IAM::ManagedPolicy"), \
        "policies live in the roles (one place to read)"
    return out


def actions(st):
    a = st["Action"]
    return [a] if isinstance(a, str) else a


def test_no_wildcard_actions(cfn):
    for lid, role in resources(cfn, "AWS::IAM::Role").items():
        for st in statements(role) + [role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]]:
            for a in actions(st):
                assert "*" not in a, f"{lid}: action {a}"
            assert "NotAction" not in st and "NotResource" not in st, lid


def test_only_token_signs_and_only_with_the_token_key(roles):
    for binary, (role, sts) in roles.items():
        signs = [st for st in sts if st["Effect"] == "Allow" and "kms:Sign" in actions(st)]
        if binary == "token":
            assert signs, "token: kms:Sign"
            for st in signs:
                assert [ref_name(r) for r in as_list(st["Resource"])] == ["TokenKey"], st
        else:
            assert not signs, f"{binary} may not sign"


def test_api_verifies_with_the_public_key(roles):
    sts = roles["api"][1]
    kms = {a for st in sts for a in actions(st) if a.startswith("kms:") and any(ref_name(r) == "TokenKey" for r in as_list(st["Resource"]))}
    assert kms == {"kms:GetPublicKey"}


def test_pseudonym_secret_is_the_token_functions(roles):
    for binary, (role, sts) in roles.items():
        reads = [st for st in sts if any(a.startswith("secretsmanager:") for a in actions(st))
                 and any(ref_name(r) == "PseudonymSecret" for r in as_list(st["Resource"]))]
        assert bool(reads) == (binary == "token"), binary


def test_vapid_secret_readers(roles, manifest_by_binary):
    for binary, (role, sts) in roles.items():
        reads = any(r == {"Ref": "VapidKeySecretArn"} for st in sts if "secretsmanager:GetSecretValue" in actions(st)
                    for r in as_list(st["Resource"]))
        assert reads == ("BOSAI_VAPID_KEY_SECRET_ID" in manifest_by_binary[binary]["env"]
                         and manifest_by_binary[binary]["env"]["BOSAI_VAPID_KEY_SECRET_ID"] != "local"), binary


def test_table_access_is_scoped(roles):
    for binary, (role, sts) in roles.items():
        for st in sts:
            dyn = [a for a in actions(st) if a.startswith("dynamodb:")]
            if not dyn:
                continue
            for r in as_list(st["Resource"]):
                text = json.dumps(r)
                assert "Table" in text, f"{binary}: dynamodb on {text}"
        assert any("dynamodb:Query" in actions(st) for st in sts), binary


# ------------------------------------------------------------------ data

def test_table_matches_manifest(cfn, manifest):
    tables = resources(cfn, "AWS::DynamoDB::Table")
    assert list(tables) == ["Table"]
    t = tables["Table"]
    p = t["Properties"]
    norm = lambda v: json.loads(json.dumps(v, sort_keys=True))  # noqa: E731
    for key, want in manifest["table"].items():
        have = p.get(key)
        if key == "AttributeDefinitions":
            have, want = sorted(have, key=lambda a: a["AttributeName"]), sorted(want, key=lambda a: a["AttributeName"])
        assert norm(have) == norm(want), key
    assert set(manifest["table"]) >= {"AttributeDefinitions", "KeySchema", "BillingMode", "TimeToLiveSpecification", "StreamSpecification"}
    assert p["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    sse = p["SSESpecification"]
    assert sse["SSEEnabled"] is True and sse["SSEType"] == "KMS"
    key = cfn["Resources"][ref_name(sse["KMSMasterKeyId"])]
    assert key["Type"] == "AWS::KMS::Key" and key["Properties"]["EnableKeyRotation"] is True
    assert p["DeletionProtectionEnabled"] is True
    assert t["DeletionPolicy"] == "Retain" and t["UpdateReplacePolicy"] == "Retain"
    extra = set(p) - set(manifest["table"]) - {"PointInTimeRecoverySpecification", "SSESpecification", "DeletionProtectionEnabled"}
    assert not extra, f"table properties the code does not define: {extra}"


def test_token_key(cfn):
    k = cfn["Resources"]["TokenKey"]
    assert k["Type"] == "AWS::KMS::Key"
    assert k["Properties"]["KeySpec"] == "ECC_NIST_P256" and k["Properties"]["KeyUsage"] == "SIGN_VERIFY"
    assert k["DeletionPolicy"] == "Retain"
    aliases = [a for a in resources(cfn, "AWS::KMS::Alias").values() if ref_name(a["Properties"]["TargetKeyId"]) == "TokenKey"]
    assert len(aliases) == 1


def test_staff_oidc_env(functions, manifest_by_binary, cfn):
    for binary, f in manifest_by_binary.items():
        if f["env"].get("BOSAI_OIDC_ISSUER") != "required":
            continue
        env = env_of(functions, binary)
        issuer = env["BOSAI_OIDC_ISSUER"]["Fn::If"]
        assert issuer[0] == "CreateCognito"
        assert issuer[1] == {"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${StaffUserPool}"}
        assert ref_name(env["BOSAI_OIDC_CLIENT_ID"]["Fn::If"][1]) == "StaffUserPoolClient"
        for uri in as_list(env["BOSAI_OIDC_REDIRECT_URIS"]):
            assert uri["Fn::Sub"].endswith("/shelter/callback")
    client = cfn["Resources"]["StaffUserPoolClient"]["Properties"]
    assert client["GenerateSecret"] is False and client["AllowedOAuthFlows"] == ["code"]
    assert set(client["AllowedOAuthScopes"]) >= {"openid", "profile"}


def test_pages_get_the_policy_the_browser_tests_run_under(cfn, manifest):
    """The app is tested in Chromium under the local stack's CSP: both CloudFront policies send it, no inline scripts."""
    policies = [r for r in cfn["Resources"].values() if r["Type"] == "AWS::CloudFront::ResponseHeadersPolicy"]
    assert len(policies) == 2
    for p in policies:
        csp = p["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
        assert csp == manifest["content_security_policy"]
        assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    cameras = sorted(
        h["Value"].split(",")[0]
        for p in policies
        for h in p["Properties"]["ResponseHeadersPolicyConfig"]["CustomHeadersConfig"]["Items"]
        if h["Header"] == "Permissions-Policy"
    )
    assert cameras == ["camera=()", "camera=(self)"]
