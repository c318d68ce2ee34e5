"""A fake WhatsApp Cloud API for the complaint tests: the kiosk's WhatsAppCloudStub (POST messages with the
Graph API's checks and errors) plus what the central needs beyond templates: free-text messages inside the
24-hour customer-service window (a number that wrote to us), and the media endpoint (GET /<version>/<media id>
answers the download URL; GET of that URL with the bearer token answers the bytes)."""
from __future__ import annotations

import hashlib
import hmac
import io
import json
import re
import time
from pathlib import Path

from kiosk.sync.notify_stubs import WhatsAppCloudStub

PHONE_NUMBER_ID = "109876543210"
WA_TOKEN = "cloud-api-token"
TEMPLATES = {"pengaduan_jawaban": 2, "pengaduan_peringatan": 2}


class CloudApiFake(WhatsAppCloudStub):
    def __init__(self, token: str = WA_TOKEN, phone_number_id: str = PHONE_NUMBER_ID) -> None:
        super().__init__(token, phone_number_id, dict(TEMPLATES))
        self.window: set[str] = set()  # numbers that wrote to the business in the last 24 hours
        self.media: dict[str, tuple[str, bytes]] = {}  # media id -> (mime type, bytes)
        self.media_url_host = ""  # when set: the lookup answers a download URL on this (untrusted) host
        self.downloads = 0

    def check(self, msg: dict):
        if msg.get("type") == "text":
            if msg.get("messaging_product") != "whatsapp":
                return 100, "(#100) messaging_product must be whatsapp"
            if msg.get("to") not in self.window:
                return 131047, "Re-engagement message: more than 24 hours since the customer last replied"
            body = (msg.get("text") or {}).get("body", "")
            if not body or len(body) > 4096:
                return 100, "(#100) Invalid parameter: text.body"
            return None
        return super().check(msg)

    def texts_to(self, to: str) -> list[str]:
        return [m["text"]["body"] for m in self.accepted if m.get("to") == to and m.get("type") == "text"]

    def handler_class(self):
        stub = self
        base = super().handler_class()

        class Handler(base):
            def do_GET(self) -> None:
                if self.headers.get("Authorization") != f"Bearer {stub.token}":
                    return self.reply(401, {"error": {"message": "Invalid OAuth access token.", "code": 190}})
                m = re.fullmatch(r"/v\d+\.\d+/([\w.-]+)", self.path)
                if m and m.group(1) in stub.media:
                    mime, data = stub.media[m.group(1)]
                    host = stub.media_url_host or f"127.0.0.1:{stub.server_address[1]}"
                    return self.reply(200, {"messaging_product": "whatsapp", "id": m.group(1), "mime_type": mime,
                                            "file_size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                                            "url": f"http://{host}/download/{m.group(1)}"})
                m = re.fullmatch(r"/download/([\w.-]+)", self.path)
                if m and m.group(1) in stub.media:
                    mime, data = stub.media[m.group(1)]
                    stub.downloads += 1
                    self.send_response(200)
                    self.send_header("Content-Type", mime)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return None
                return self.reply(404, {"error": {"message": "Unsupported get request.", "code": 100}})

        return Handler


def central_env(fake: CloudApiFake, office: str) -> dict[str, str]:
    return {"KIOSK_WA_TOKEN": fake.token, "KIOSK_CENTRAL_WA_GRAPH_URL": fake.base_url,
            "KIOSK_CENTRAL_WA_PHONE_NUMBERS": f"{fake.phone_number_id}={office}"}


def inbound(*messages: dict, name: str = "Made Wirawan", sender: str = "6281234567001",
            phone_number_id: str = PHONE_NUMBER_ID) -> dict:
    """A Cloud API change notification carrying messages from one reporter to the office's number."""
    return {"object": "whatsapp_business_account", "entry": [{"id": "WABA-1", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp", "metadata": {"display_phone_number": "6281212313170", "phone_number_id": phone_number_id},
        "contacts": [{"profile": {"name": name}, "wa_id": sender}],
        "messages": [{"from": sender, "timestamp": str(int(time.time())), **m} for m in messages]}}]}]}


def text_msg(body: str, mid: str) -> dict:
    return {"id": mid, "type": "text", "text": {"body": body}}


def image_msg(media_id: str, mid: str, caption: str = "") -> dict:
    return {"id": mid, "type": "image", "image": {"id": media_id, "mime_type": "image/jpeg", "caption": caption}}


def document_msg(media_id: str, mid: str, filename: str = "laporan.pdf") -> dict:
    return {"id": mid, "type": "document", "document": {"id": media_id, "mime_type": "application/pdf", "filename": filename}}


def signed(body: dict, secret: str) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    sig = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"Content-Type": "application/json", "X-Hub-Signature-256": sig}


def photo_bytes(root: Path) -> bytes:
    return (root / "assets" / "sim" / "flow" / "guest.jpg").read_bytes()


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


PDF_OK = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PDF_JS = b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
