"""The central service as an ASGI application (FastAPI): the kiosk API, the signed WhatsApp webhook and
the signed photo links. The routes are the published contract: kiosk/central/openapi.json is generated
from this app (`kiosk central openapi`) and a test keeps the two the same.

Every request: at most `max_body_bytes`, sent within `body_timeout_s` (else 413 / 408), at most
`max_inflight` at once per worker (else 429 with Retry-After); errors are JSON {"reason": ...}, never a
traceback.
"""

import asyncio
import hashlib
import hmac
import json
import logging
import time
from contextlib import asynccontextmanager, suppress
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from kiosk.central import schemas as S
from kiosk.central.db import open_engine
from kiosk.central.keys import CentralKeys
from kiosk.central.settings import CentralSettings
from kiosk.central.store import CentralStore, Credential, Rejected

log = logging.getLogger("kiosk.central")

# No `from __future__ import annotations` here: FastAPI reads the route signatures at runtime.
DESCRIPTION = """Our contract between the guest kiosks of the Kejaksaan offices and the central guestbook service.
The official bukutamu.kejaksaan.go.id API is not public; the visit record uses its field names (nama, detail,
no_hp, email, alamat, no_identitas, tipe_tamu, tipe_pelayanan, nama_pejabat, jabatan, satker, photo).

Credentials: each device has its own bearer token bound to one office (`kiosk central credential issue`);
a request for another office is 403. Errors are JSON {"reason": ...}.

Idempotency: every push carries an Idempotency-Key. The same key with the same request answers the first
result (200, Idempotent-Replayed: true); the same key with a different request is 409 with a reason and
changes nothing. 408, 425, 429 and 5xx mean "try again later" (429 and 503 carry Retry-After); 409 means
"this message conflicts with what is stored and will never be accepted as it is"; any other 4xx means the
request will never be accepted.

Two writers: transitions are never refused for the visit's current state. Each is recorded and the visit's
state is the one of highest precedence: checked_out > inside > cancelled|expired > accepted|declined >
waiting_host > registered; within a rank the later event time wins, then the larger event id. Every feed
item carries the visit's resulting `state`, which a pulling device applies as the truth.

Pull: GET .../events answers an ETag; with If-None-Match and nothing new it is 304 without a body. With
`wait=N` (up to 30 s) the server holds the request until something new arrives (long poll): a device
needs one request per change or per N seconds, not one every 5 s.

Photos: the host's link is a signed URL valid for a few hours (no token); PUT .../photo takes the raw
JPEG or PNG (preferred over base64 in the visit); every photo is decoded and re-encoded as JPEG.

Erasure: POST .../erasures with the keyed hash of the NIK (HMAC-SHA256 with the office's subject key,
which comes with the device's credential) and/or visit ids; the feed then names the erased visits
(`visit.erased`) so that other devices delete their copies."""

ERR = {"model": S.Error}
COMMON = {400: {**ERR, "description": "the request breaks the contract"},
          401: {**ERR, "description": "missing, wrong or revoked credential"},
          403: {**ERR, "description": "the credential belongs to another office"},
          408: {**ERR, "description": "the body came too slowly"},
          413: {**ERR, "description": "the body is larger than allowed"},
          429: {**ERR, "description": "too many requests at once; retry after Retry-After seconds"},
          503: {**ERR, "description": "the database is unavailable; retry after Retry-After seconds"}}
PUSH = {**COMMON, 404: {**ERR, "description": "no such visit"},
        409: {**ERR, "description": "the key or id is already stored with a different request"},
        415: {**ERR, "description": "not application/json"}}

_bearer = HTTPBearer(auto_error=False, description="the device's credential (kiosk central credential issue)")
Office = Annotated[str, Path(pattern=S.OFFICE_PATTERN)]
VisitId = Annotated[S.UuidText, Path()]
IdemKey = Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=200)]


def _reason(err: dict) -> str:
    loc = [str(p) for p in err.get("loc", ())]
    if loc and loc[0] == "header":
        where = f"header parameter {loc[1] if len(loc) > 1 else ''}"
    elif loc and loc[0] in ("path", "query"):
        where = f"{loc[0]} parameter {'.'.join(loc[1:])}"
    else:
        where = ".".join(loc) or "body"
    kind, ctx = err.get("type", ""), err.get("ctx") or {}
    if kind in ("too_short", "too_long") and isinstance(err.get("input"), str):
        kind = "string_" + kind
    if kind == "extra_forbidden":
        return f"{'.'.join(loc[:-1]) or 'body'}: unknown field {loc[-1]}"
    text = {
        "missing": "required",
        "string_too_short": "too short",
        "string_too_long": f"longer than {ctx.get('max_length')}",
        "string_pattern_mismatch": f"does not match {ctx.get('pattern')}",
        "literal_error": f"must be one of {ctx.get('expected')}",
        "too_long": f"more than {ctx.get('max_length')} items",
        "too_short": f"fewer than {ctx.get('min_length')} items",
    }.get(kind) or str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{where}: {text}"


def validation_reason(exc: ValidationError | RequestValidationError, prefix: tuple = ()) -> str:
    errors = exc.errors()
    first = dict(errors[0]) if errors else {"msg": "invalid"}
    first["loc"] = (*prefix, *first.get("loc", ()))
    return _reason(first)


class Guard:
    """Pure ASGI middleware: overload (429), body size (413) and slow bodies (408) before the app sees a request."""

    def __init__(self, app, settings: CentralSettings) -> None:
        self.app = app
        self.settings = settings
        self.inflight = 0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        long_poll = scope["path"].endswith("/events") and b"wait=" in scope.get("query_string", b"")
        if not long_poll and self.inflight >= self.settings.max_inflight:
            return await _plain(send, 429, "server busy; retry later", {"retry-after": "1"})
        headers = dict(scope.get("headers") or ())
        length = headers.get(b"content-length")
        if length is not None:
            if not length.isdigit():
                return await _plain(send, 400, "bad Content-Length")
            if int(length) > self.settings.max_body_bytes:
                return await _plain(send, 413, f"body larger than {self.settings.max_body_bytes} bytes")
        self.inflight += not long_poll
        try:
            if scope["method"] in ("POST", "PUT", "PATCH"):
                body = bytearray()
                deadline = time.monotonic() + self.settings.body_timeout_s
                while True:
                    try:
                        message = await asyncio.wait_for(receive(), max(0.01, deadline - time.monotonic()))
                    except TimeoutError:
                        return await _plain(send, 408, "the request body came too slowly", {"connection": "close"})
                    if message["type"] == "http.disconnect":
                        return  # the client left: nothing to answer, nothing to log
                    body += message.get("body", b"")
                    if len(body) > self.settings.max_body_bytes:
                        return await _plain(send, 413, f"body larger than {self.settings.max_body_bytes} bytes",
                                            {"connection": "close"})
                    if not message.get("more_body"):
                        break
                sent = False

                async def replay():
                    nonlocal sent
                    if not sent:
                        sent = True
                        return {"type": "http.request", "body": bytes(body), "more_body": False}
                    return await receive()

                await self.app(scope, replay, send)
            else:
                await self.app(scope, receive, send)
        finally:
            self.inflight -= not long_poll


async def _plain(send, status: int, reason: str, headers: dict[str, str] | None = None) -> None:
    data = json.dumps({"reason": reason}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    try:
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": data})
    except OSError:
        pass  # the client is gone


class FeedWatcher:
    """One loop per worker notices new feed items of any office (one small query every 0.25 s) and wakes
    the long polls waiting on that office: 1,000 waiting devices cost no database work."""

    LOOKBACK = 2000  # feed seqs re-read each tick: far more than can be in flight at once

    def __init__(self, store: CentralStore) -> None:
        self.store = store
        self.after = 0
        self.seqs: dict[str, int] = {}
        self.waiters: dict[str, asyncio.Event] = {}
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        _, self.after = await run_in_threadpool(self.store.last_seqs, 0)
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(0.25)
            try:
                # Look back a little: another office's transaction may commit a lower seq after a higher one
                # was seen (seqs are handed out at insert), and its waiters must still be woken.
                grown, newest = await run_in_threadpool(self.store.last_seqs, max(0, self.after - self.LOOKBACK))
            except Exception:  # the database is away for a moment: the long polls just time out
                log.warning("feed watcher query failed")
                continue
            self.after = max(self.after, newest)
            for office, seq in grown.items():
                if seq <= self.seqs.get(office, 0):
                    continue
                self.seqs[office] = seq
                ev = self.waiters.pop(office, None)
                if ev:
                    ev.set()

    async def wait(self, office: str, since: int, timeout: float) -> None:
        # The watcher ticks every 0.25 s, so it may wake us for items the device has already read (its
        # cursor is ahead of the watcher): keep waiting until the office's feed is past the cursor or the
        # time is up, or the device gets an empty answer long before its wait was over.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        if office not in self.seqs:
            self.seqs[office] = await run_in_threadpool(self.store.last_seq, office)
        while self.seqs[office] <= since:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            ev = self.waiters.setdefault(office, asyncio.Event())
            with suppress(TimeoutError):
                await asyncio.wait_for(ev.wait(), remaining)


def create_app(settings: CentralSettings, *, engine=None) -> FastAPI:
    keys = CentralKeys.from_file(settings.key_file)
    engine = engine or open_engine(settings.db_url, upgrade=False, pool_size=settings.pool_size)
    store = CentralStore(engine, keys)
    watcher = FeedWatcher(store)
    from kiosk.central.complaints import ComplaintStore, ComplaintWorker

    complaints = ComplaintStore(engine, keys, settings)
    worker_task: dict[str, asyncio.Task] = {}
    cache: dict[str, tuple[float, Credential | None]] = {}
    open_state = {"until": 0.0, "open": False}

    @asynccontextmanager
    async def lifespan(app):
        await watcher.start()
        worker_task["t"] = asyncio.create_task(_complaint_loop(ComplaintWorker(complaints)))
        yield
        worker_task["t"].cancel()
        await watcher.stop()
        engine.dispose()

    app = FastAPI(title="Buku Tamu Kejaksaan - central API (kiosk contract)", version="2.0.0",
                  description=DESCRIPTION, lifespan=lifespan, docs_url=None, redoc_url=None,
                  servers=[{"url": "http://127.0.0.1:8470", "description": "kiosk central serve"}])
    app.state.store = store
    app.state.complaints = complaints
    app.state.settings = settings

    # --- errors as {"reason": ...} ---

    @app.exception_handler(RequestValidationError)
    async def _invalid(request, exc: RequestValidationError):
        return JSONResponse({"reason": validation_reason(exc)}, status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request, exc: StarletteHTTPException):
        reason = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 404 and reason == "Not Found":
            reason = "no such path"
        elif exc.status_code == 405:
            reason = "method not allowed"
        return JSONResponse({"reason": reason}, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Rejected)
    async def _rejected(request, exc: Rejected):
        return JSONResponse({"reason": exc.reason}, status_code=exc.status)

    @app.exception_handler(Exception)
    async def _crash(request, exc: Exception):
        from sqlalchemy.exc import OperationalError

        if isinstance(exc, OperationalError | TimeoutError):
            log.warning("database unavailable", extra={"error": type(exc).__name__})
            return JSONResponse({"reason": "database unavailable; retry later"}, status_code=503,
                                headers={"Retry-After": "5"})
        log.exception("central server error")
        return JSONResponse({"reason": "internal error"}, status_code=500)

    # --- credentials ---

    def _is_open() -> bool:
        if not settings.open_on_loopback:
            return False
        now = time.monotonic()
        if now >= open_state["until"]:
            open_state.update(open=store.active_credentials() == 0, until=now + 5)
        return open_state["open"]

    def check_credential(office: str, auth: HTTPAuthorizationCredentials | None) -> Credential:
        if auth is None or auth.scheme.lower() != "bearer":
            if _is_open():
                return Credential("open", office, "")
            raise StarletteHTTPException(401, "missing or wrong bearer token (a device credential)",
                                         headers={"WWW-Authenticate": "Bearer"})
        now = time.monotonic()
        hit = cache.get(auth.credentials)
        if hit is None or hit[0] < now:
            if len(cache) > 10_000:
                cache.clear()
            hit = (now + 5, store.credential_for(auth.credentials))  # a revocation takes effect within 5 s
            cache[auth.credentials] = hit
        cred = hit[1]
        if cred is None:
            if _is_open():
                return Credential("open", office, "")
            raise StarletteHTTPException(401, "missing or wrong bearer token (a device credential)",
                                         headers={"WWW-Authenticate": "Bearer"})
        if cred.office != office:
            raise StarletteHTTPException(403, "this credential belongs to another office")
        return cred

    async def credential(office: Office, auth: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Credential:
        # A known token is checked on the event loop; only a cache miss asks the database (in a thread).
        hit = cache.get(auth.credentials) if auth is not None and auth.scheme.lower() == "bearer" else None
        if hit is not None and hit[1] is not None and hit[0] >= time.monotonic():
            if hit[1].office != office:
                raise StarletteHTTPException(403, "this credential belongs to another office")
            return hit[1]
        return await run_in_threadpool(check_credential, office, auth)

    Cred = Annotated[Credential, Depends(credential)]

    def base_url(request: Request) -> str:
        return settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")

    def photo_link(request: Request, office: str, visit_id: str) -> str:
        expires = int(time.time()) + settings.photo_link_ttl_s
        return f"{base_url(request)}/v1/offices/{office}/visits/{visit_id}/photo?exp={expires}&sig={_sign(office, visit_id, expires)}"

    def _sign(office: str, visit_id: str, expires: int) -> str:
        return hmac.new(keys.photo_link_key, f"{office}/{visit_id}/{expires}".encode(), hashlib.sha256).hexdigest()[:40]

    def present(request: Request, office: str, result: dict) -> dict:
        out = {k: v for k, v in result.items() if k != "has_photo"}
        if result.get("has_photo"):
            out["photo_url"] = photo_link(request, office, result["visit_id"])
        return out

    def push_answer(request: Request, office: str, status: int, result: dict) -> JSONResponse:
        return JSONResponse(present(request, office, result), status_code=status,
                            headers={"Idempotent-Replayed": "true"} if status == 200 else None)

    async def _json_only(request: Request) -> None:
        if "json" not in (request.headers.get("content-type") or ""):
            raise StarletteHTTPException(415, "Content-Type must be application/json")

    Json = Depends(_json_only)

    # --- the kiosk API ---

    @app.post("/v1/offices/{office}/visits", operation_id="pushVisit", status_code=201, response_model=S.PushResult,
              responses={**PUSH, 200: {"model": S.PushResult, "description": "already stored under this key (replay)"}},
              summary="Register a visit in the guestbook", dependencies=[Json])
    def push_visit(request: Request, office: Office, key: IdemKey, body: S.VisitPush, cred: Cred):
        status, result = store.push_visit(office, key, body.model_dump(exclude_unset=True))
        return push_answer(request, office, status, result)

    @app.post("/v1/offices/{office}/visits/{visit_id}/events", operation_id="pushVisitEvent", status_code=201,
              response_model=S.PushResult, summary="Append an event (a state change or a step) to a visit",
              responses={**PUSH, 200: {"model": S.PushResult, "description": "already stored under this key (replay)"}},
              dependencies=[Json])
    def push_event(request: Request, office: Office, visit_id: VisitId, key: IdemKey, body: S.VisitEventPush, cred: Cred):
        status, result = store.push_event(office, visit_id, key, body.model_dump(exclude_unset=True))
        return push_answer(request, office, status, result)

    @app.post("/v1/offices/{office}/surveys", operation_id="pushSurveyResponse", status_code=201,
              response_model=S.SurveyResult, summary="Store one SKM respondent's answers (idempotent by response_id)",
              responses={**COMMON, 409: PUSH[409], 415: PUSH[415],
                         200: {"model": S.SurveyResult, "description": "already stored (a repeat)"}},
              dependencies=[Json])
    def push_survey(office: Office, body: S.SurveyPush, cred: Cred):
        status, result = store.push_survey(office, body.model_dump())
        return JSONResponse(result, status_code=status)

    @app.post("/v1/offices/{office}/batch", operation_id="pushBatch", response_model=S.BatchAnswer,
              responses={**COMMON, 415: PUSH[415]}, dependencies=[Json],
              summary="Many visits and events in one request and one transaction, with a result per item")
    def push_batch(request: Request, office: Office, body: S.BatchPush, cred: Cred):
        ops: list = []
        answers: list[dict | None] = []
        for i, item in enumerate(body.items):
            try:
                if item.op == "visit":
                    v = S.VisitPush.model_validate(item.body).model_dump(exclude_unset=True)
                    ops.append(store.visit_op(item.idempotency_key, v))
                else:
                    if not item.visit_id:
                        raise Rejected(400, f"items[{i}].visit_id: required for op=event")
                    e = S.VisitEventPush.model_validate(item.body).model_dump(exclude_unset=True)
                    ops.append(store.event_op(item.idempotency_key, item.visit_id, e))
                answers.append(None)
            except ValidationError as exc:
                answers.append({"status": 400, "reason": validation_reason(exc, (f"items[{i}].body",))})
            except Rejected as exc:
                answers.append({"status": exc.status, "reason": exc.reason})
        stored = iter(store.apply(office, ops) if ops else [])
        results = []
        for item, early in zip(body.items, answers, strict=True):
            r = early or next(stored)
            if r.get("result"):
                r["result"] = present(request, office, r["result"])
            results.append({"idempotency_key": item.idempotency_key, **r})
        return {"results": results}

    @app.get("/v1/offices/{office}/visits/{visit_id}", operation_id="getVisit", response_model=S.VisitStatus,
             responses={**COMMON, 404: PUSH[404]}, summary="A visit's converged state and its host notices")
    def get_visit(request: Request, office: Office, visit_id: VisitId, cred: Cred):
        return present(request, office, store.visit_status(office, visit_id))

    @app.put("/v1/offices/{office}/visits/{visit_id}/photo", operation_id="putVisitPhoto", response_model=S.PhotoStored,
             status_code=201, summary="The guest's photo as a binary upload (image/jpeg or image/png)",
             responses={**COMMON, 404: PUSH[404], 415: {**ERR, "description": "not image/jpeg or image/png"}},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                 "image/png": {"schema": {"type": "string", "format": "binary"}}}}})
    async def put_photo(request: Request, office: Office, visit_id: VisitId, cred: Cred):
        if (request.headers.get("content-type") or "").split(";")[0].strip() not in ("image/jpeg", "image/png"):
            raise StarletteHTTPException(415, "Content-Type must be image/jpeg or image/png")
        data = await request.body()
        width, height = await run_in_threadpool(store.store_photo, office, visit_id, data)
        return JSONResponse({"visit_id": visit_id, "photo_url": photo_link(request, office, visit_id),
                             "width": width, "height": height}, status_code=201)

    @app.get("/v1/offices/{office}/visits/{visit_id}/photo", operation_id="getVisitPhoto",
             summary="The guest's photo: a signed link (exp, sig: what the host gets on WhatsApp) or a device credential",
             responses={200: {"content": {"image/jpeg": {}}, "description": "JPEG"}, 401: COMMON[401], 403: COMMON[403],
                        404: PUSH[404]}, response_class=Response)
    def get_photo(request: Request, office: Office, visit_id: VisitId,
                  exp: Annotated[int | None, Query(ge=0, le=2**40)] = None,
                  sig: Annotated[str | None, Query(max_length=64)] = None,
                  auth: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None):
        if exp is not None and sig is not None:
            if exp < time.time() or not hmac.compare_digest(sig, _sign(office, visit_id, exp)):
                raise StarletteHTTPException(403, "the photo link expired or is not valid")
        else:
            check_credential(office, auth)
        photo = store.photo(office, visit_id)
        if not photo:
            raise Rejected(404, "no photo")
        return Response(photo, media_type="image/jpeg", headers={
            "Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'"})

    @app.post("/v1/offices/{office}/visits/{visit_id}/answer", operation_id="answerVisit", response_model=S.VisitStatus,
              responses={**COMMON, 404: PUSH[404], 415: PUSH[415]}, dependencies=[Json],
              summary="The host accepts or declines; recorded as an event, the state follows the precedence rule")
    def answer_visit(request: Request, office: Office, visit_id: VisitId, body: S.HostAnswer, cred: Cred):
        return present(request, office, store.answer(office, visit_id, body.accepted, body.actor))

    @app.get("/v1/offices/{office}/hosts", operation_id="listHosts", response_model=S.HostList,
             responses={**COMMON, 304: {"description": "the directory is unchanged since the ETag given in If-None-Match"}},
             summary="The office's host directory (edited on the web desk; ETag / If-None-Match)")
    def list_hosts(request: Request, office: Office, cred: Cred):
        items = store.hosts(office)
        etag = f'"hosts-{S.hosts_etag(items)}"'
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"ETag": etag})
        return JSONResponse({"hosts": items}, headers={"ETag": etag})

    @app.get("/v1/offices/{office}/events", operation_id="listEvents", response_model=S.EventsPage,
             responses={**COMMON, 304: {"description": "nothing new since the ETag given in If-None-Match"}},
             summary="The office's feed after a cursor (long poll with wait; ETag / If-None-Match)")
    async def list_events(request: Request, office: Office, cred: Annotated[Credential, Depends(credential)],
                          since: Annotated[str, Query(pattern=r"^[0-9]{1,18}$")] = "0",
                          limit: Annotated[str, Query(pattern=r"^[0-9]{1,4}$")] = "200",
                          wait: Annotated[int, Query(ge=0, le=30, description="seconds to hold the request for news")] = 0):
        cursor, page = int(since), max(1, min(int(limit), 1000))
        if wait:
            await watcher.wait(office, cursor, wait)
        last = await run_in_threadpool(store.last_seq, office)
        etag = f'"{office}-{last}"'
        if last <= cursor or request.headers.get("if-none-match") == etag:
            if request.headers.get("if-none-match") == etag:
                return Response(status_code=304, headers={"ETag": etag})
            return JSONResponse({"events": [], "cursor": str(cursor)}, headers={"ETag": etag})
        items, next_cursor = await run_in_threadpool(store.events_since, office, cursor, page)
        for item in items:
            visit = item.get("visit")
            if visit is not None and visit.pop("has_photo", False):
                visit["photo_url"] = photo_link(request, office, item["visit_id"])
            elif visit is not None:
                visit["photo_url"] = None
        return JSONResponse({"events": items, "cursor": next_cursor}, headers={"ETag": etag})

    @app.post("/v1/offices/{office}/erasures", operation_id="eraseDataSubject", response_model=S.ErasureResult,
              responses={**COMMON, 415: PUSH[415]}, dependencies=[Json],
              summary="Erase a data subject's visits (keyed NIK hash and/or visit ids); idempotent by request_id")
    def erase(office: Office, body: S.Erasure, cred: Cred):
        if not body.subject_hash and not body.visit_ids:
            raise Rejected(400, "body: subject_hash or visit_ids required")
        return store.erase(office, body.request_id, body.subject_hash, list(body.visit_ids))

    @app.get("/healthz", operation_id="health", summary="The service answers (no credential, no database)")
    def health():
        return {"status": "ok"}

    # --- WhatsApp webhook (Meta signs every POST with the app secret) ---

    @app.get("/v1/webhooks/whatsapp", operation_id="whatsappWebhookVerify", include_in_schema=True,
             summary="Webhook subscription check (hub.challenge)", responses={403: ERR})
    def webhook_verify(request: Request):
        q = request.query_params
        if settings.verify_token and q.get("hub.mode") == "subscribe" and \
                hmac.compare_digest(q.get("hub.verify_token", ""), settings.verify_token):
            return Response(q.get("hub.challenge", ""), media_type="text/plain")
        return JSONResponse({"reason": "verification failed"}, status_code=403)

    @app.post("/v1/webhooks/whatsapp", operation_id="whatsappWebhook", responses={401: COMMON[401], 400: COMMON[400]},
              summary="WhatsApp Cloud API webhook (X-Hub-Signature-256 required): statuses and the host's reply buttons",
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                  "schema": {"$ref": "#/components/schemas/WhatsAppWebhook"}}}}})
    async def webhook(request: Request, signature: Annotated[str | None, Header(alias="X-Hub-Signature-256")] = None):
        raw = await request.body()
        if len(raw) > WEBHOOK_MAX_BYTES:
            raise StarletteHTTPException(413, f"webhook body larger than {WEBHOOK_MAX_BYTES} bytes")
        if not settings.app_secret:
            raise StarletteHTTPException(401, "webhook refused: no app secret configured to check its signature")
        expected = "sha256=" + hmac.new(settings.app_secret.encode(), raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature or ""):
            raise StarletteHTTPException(401, "bad webhook signature")
        try:
            hook = S.WhatsAppWebhook.model_validate_json(raw)
        except ValidationError as exc:
            raise Rejected(400, validation_reason(exc, ("body",))) from None
        await run_in_threadpool(_apply_webhook, store, hook, complaints)
        return {}

    from kiosk.central.desk import DeskStore, mount_desk

    mount_desk(app, store=store, desk=DeskStore(engine, keys), keys=keys, settings=settings, photo_link=photo_link,
               feed_wait=watcher.wait)

    app.openapi_schema = None
    _extend_openapi(app)
    app.add_middleware(Guard, settings=settings)
    return app


async def _complaint_loop(worker, every_s: float = 1.0) -> None:
    """Evidence fetches and the WhatsApp outbox every second, the overdue alerts every few, in a thread."""
    while True:
        await run_in_threadpool(worker.tick)
        await asyncio.sleep(every_s)


def _apply_webhook(store: CentralStore, hook: S.WhatsAppWebhook, complaints=None) -> None:
    for entry in hook.entry:
        for change in entry.changes:
            value = change.value or {}
            for st in value.get("statuses") if isinstance(value.get("statuses"), list) else []:
                if isinstance(st, dict) and isinstance(st.get("id"), str) and st.get("status") in ("sent", "delivered", "read", "failed") \
                        and not (complaints and complaints.record_status(st)):
                    store.record_notice_status(st["id"][:200], st["status"])
            for msg in value.get("messages") if isinstance(value.get("messages"), list) else []:
                if isinstance(msg, dict):
                    _host_reply(store, msg)
            if complaints is not None and value.get("messages"):
                complaints.ingest(value)  # text, photos and documents to an office's number open a complaint


def _host_reply(store: CentralStore, msg: dict) -> None:
    """A tap on the template's quick-reply button: payload 'accept:<visit_id>' or 'decline:<visit_id>'."""
    button = msg.get("button") if isinstance(msg.get("button"), dict) else {}
    interactive = msg.get("interactive") if isinstance(msg.get("interactive"), dict) else {}
    reply = interactive.get("button_reply") if isinstance(interactive.get("button_reply"), dict) else {}
    payload = button.get("payload") or reply.get("id")
    context = msg.get("context") if isinstance(msg.get("context"), dict) else {}
    context_id = context.get("id")
    if not isinstance(payload, str) or ":" not in payload or not isinstance(context_id, str):
        return
    answer, _, visit_id = payload.partition(":")
    notice = store.notice(context_id[:200]) or store.reminder_notice(context_id[:200])
    if answer not in ("accept", "decline") or notice is None or notice.visit_id != visit_id:
        return  # only a reply to the notice we sent for this visit counts
    try:
        store.answer(notice.office, visit_id, answer == "accept", f"host:{notice.host_id}")
    except Rejected as exc:
        log.info("host reply ignored", extra={"visit_id": visit_id, "reason": exc.reason})


WEBHOOK_MAX_BYTES = 256 * 1024  # Meta's change notifications are a few kB; media come by id, not inline


def _extend_openapi(app: FastAPI) -> None:
    """The generated document plus what routes cannot say: the webhook body schema and the bearer scheme everywhere."""
    from fastapi.openapi.utils import get_openapi

    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes,
                          servers=app.servers)
        comps = doc.setdefault("components", {}).setdefault("schemas", {})
        comps["WhatsAppWebhook"] = S.WhatsAppWebhook.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in comps["WhatsAppWebhook"].pop("$defs", {}).items():
            comps.setdefault(name, sub)
        for name, model in (("VisitPush", S.VisitPush), ("VisitEventPush", S.VisitEventPush)):
            comps.setdefault(name, model.model_json_schema(ref_template="#/components/schemas/{model}"))
        # Invalid requests answer 400 {"reason"} here, not FastAPI's default 422 body.
        for path in doc["paths"].values():
            for op in path.values():
                op.get("responses", {}).pop("422", None)
        for name in ("HTTPValidationError", "ValidationError"):
            comps.pop(name, None)
        app.openapi_schema = doc
        return doc

    app.openapi = build


def openapi_document(settings: CentralSettings | None = None) -> dict[str, Any]:
    """The contract as generated from the app (no database needed)."""
    import tempfile

    from sqlalchemy import create_engine

    from kiosk.central.keys import ensure_key_file

    with tempfile.TemporaryDirectory() as d:
        key = ensure_key_file(f"{d}/k")
        app = create_app(CentralSettings(key_file=str(key)), engine=create_engine("sqlite://"))
        return app.openapi()


def openapi_text() -> str:
    return json.dumps(openapi_document(), indent=1, sort_keys=True) + "\n"


def app_from_env() -> FastAPI:
    """The factory uvicorn's worker processes call (`kiosk central serve` passes the settings in the environment)."""
    from kiosk.logs import setup_logging

    setup_logging("INFO")
    return create_app(CentralSettings.from_env())
