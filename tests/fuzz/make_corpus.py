#!/usr/bin/env python3
"""Writes the seed corpus in tests/fuzz/corpus/<harness>/ (run it after changing a
harness's input layout; the byte layouts are documented in each harness)."""
import base64
import json
import pathlib
import struct

root = pathlib.Path(__file__).resolve().parent / "corpus"

PASSWORD = b"Pw-9sEcret!"
CUSTOM_TOKEN = b"Ct-7tOken#x"


def b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def jwt(payload: dict) -> bytes:
    return (b64(b'{"alg":"HS256","typ":"JWT"}') + b"." + b64(json.dumps(payload).encode()) + b".c2ln")


def s8(data: bytes) -> bytes:
    assert len(data) < 256
    return bytes([len(data)]) + data


def s16(data: bytes) -> bytes:
    return struct.pack(">H", len(data)) + data


def write(harness: str, seeds: dict) -> None:
    folder = root / harness
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in seeds.items():
        (folder / name).write_bytes(data)


AUTH = {"type": "auth", "id": "r1", "collectionId": "pbc_3142635823", "exp": 4102444800}

write("jwt_auth_store", {
    "superuser": b"\x00" + s16(jwt(AUTH)) + b'{"id":"r1","collectionName":"_superusers"}',
    "type_not_string": b"\x02" + s16(jwt({"type": 1, "collectionId": 5, "exp": "soon"})) + b"{}",
    "crlf_token": b"\x00" + s16(b"abc\r\nX-Evil: 1") + b"null",
    "nul_token": b"\x00" + s16(jwt(AUTH) + b"\x00x") + b"[]",
    "throwing_listener": b"\x01" + s16(b"not-a-jwt") + b'{"collectionName":7}',
    "padding": b"\xfc" + s16(b"a.eyJleHAiOjF9==.b") + b'{"a":[[[[1]]]]}',
})

write("base_url", {
    "plain": b"http://127.0.0.1:8090",
    "prefix": b"https://example.com/pb//",
    "user_info": b"http://admin:hunter2-secret@example.com/",
    "ipv6": b"http://[::1]:8090/x",
    "bad_port": b"http://example.com:99999",
    "empty_port": b"http://example.com:/a",
    "space_in_path": b"http://example.com/a b\r\nX: y",
})

write("redact", {
    "file_token": b"http://h/api/files/c/r/f.png?token=abc.def&thumb=100x100",
    "mixed": b"/p?Password=x&otp=1&a=b&token",
    "empty_and_eq": b"/p?x=1&&TOKEN=&oldPassword=q=r&passwordConfirm=z",
    "no_query": b"http://h/api/health",
    "fragment": b"/p?a=1#frag&token=zz",
    "user_info": b"https://user:pw@h:8443/cb?code=c1&state=s1&X-Amz-Signature=sig#access_token=t&x=1",
    "jwt_value": b"http://h/p?t=eyJhbGciOiJIUzI1NiJ9.eyJpZCI6InIxIn0.c2ln&page=2",
})


def q_str(text: bytes) -> bytes:
    return b"\x01" + s8(text)


def q_int(value: int, scale: int = 1) -> bytes:
    return b"\x02" + struct.pack(">h", value) + bytes([scale])


def q_double(value: float) -> bytes:
    return b"\x03" + struct.pack(">d", value)


def q_array(*items: bytes) -> bytes:
    return b"\x05" + bytes([len(items)]) + b"".join(items)


def q_object(*pairs) -> bytes:
    return b"\x06" + bytes([len(pairs)]) + b"".join(s8(k) + v for k, v in pairs)


write("query", {
    "mixed": bytes([3]) + s8(b"filter") + q_str(b"a b&c=d#e") + s8(b"ids") + q_array(q_int(1), q_str(b"x"), b"\x00")
             + s8(b"obj") + q_object((b"k", b"\x84")) + b"/api/collections/users/records",
    "non_utf8_in_object": bytes([1]) + s8(b"o") + q_object((b"k", q_str(b"\xff\xfe"))) + b"/api/x",
    "non_utf8_string": bytes([1]) + s8(b"\xc3(") + q_str(b"\xff") + b"/api/x?already=1",
    "path_with_space": bytes([1]) + s8(b"a") + q_double(1.5) + b"/api/a b#c",
    "numbers": bytes([2]) + s8(b"n") + q_double(float("nan")) + s8(b"u") + b"\x07\xff\xff\x20",
})


def ok(status: int, body: bytes, headers=()) -> bytes:
    out = b"\x00" + struct.pack(">h", status) + bytes([len(headers)])
    for name, value in headers:
        out += s8(name) + s8(value)
    return out + s16(body)


def fail(kind: int, message: bytes) -> bytes:
    return bytes([0xF0 | kind]) + s8(message)


def call(op1: int, op2: int, flags: int, *steps: bytes) -> bytes:
    return bytes([op1, op2, flags]) + b"".join(steps)


TOKEN = jwt({"type": "auth", "id": "r1", "collectionId": "_pb_users_auth_", "exp": 4102444800})
AUTH_BODY = json.dumps({"token": TOKEN.decode(), "record": {"id": "r1", "collectionId": "_pb_users_auth_",
                                                           "collectionName": "users"}}).encode()
# flags: store variant 1, max_json_depth 16 (2 << 2), second call on (0x40)
F = 0x01 | (2 << 2)

write("response_path", {
    "auth_ok_then_get": call(2, 5, F | 0x40, ok(200, AUTH_BODY), ok(200, b'{"id":"r1"}')),
    "auth_204": call(2, 0, F, ok(204, b"")),
    "auth_302": call(3, 0, F, ok(302, b"", [(b"location", b"/elsewhere")])),
    "bind_302": call(0, 0, F, ok(302, b"", [(b"Location", b"http://evil/?token=abc")])),
    "bind_echo_secrets": call(0, 0, F, ok(400, b'{"message":"bad Pw-9sEcret! Ct-7tOken#x","data":{"token":'
                                             b'{"code":"x","message":"Ct-7tOken#x"}}}')),
    "token_with_crlf": call(3, 4, F | 0x40, ok(200, AUTH_BODY.replace(b"eyJhbGci", b"\\r\\nX: 1eyJ", 1)), ok(200, b"{}")),
    "transport_echo": call(3, 0, F, fail(1, b"refused; password was " + PASSWORD)),
    "update_number_id": call(6, 7, 0x02 | (2 << 2) | 0x40, ok(200, b'{"id":"r1","collectionId":"_pb_users_auth_"}'),
                             ok(204, b"")),
    "interim_103": call(4, 0, F, ok(103, b"")),
    "deep_json": call(5, 0, F, ok(200, b"[" * 40 + b"]" * 40)),
    "non_utf8_error": call(9, 0, F, ok(500, b"\xff\xfe oops")),
    "non_std_throw": call(8, 0, F, fail(15, b"")),
    "throwing_listener": call(10, 0, F | 0x20, ok(200, AUTH_BODY)),
    "too_large": call(4, 0, F | 0x10, ok(200, b'{"items":"' + b"x" * 400 + b'"}')),
    "bad_alloc": call(4, 0, F, fail(13, b"")),
    "hook_crlf_header": call(5, 0, F | 0x80, ok(200, b"{}"), ok(200, b"{}"))
                        + s8(b"") + s8(b"") + s8(b"X-Trace") + s8(b"1\r\nX-Evil: 2") + s8(b""),
    "hook_ok": call(8, 4, F | 0x80 | 0x40, ok(200, b"{}"), ok(404, b"{}"))
               + s8(b"PUT") + s8(b"/api/other?x=%20") + s8(b"X-Trace") + s8(b"abc\tdef") + s8(b"text/plain"),
    "otp_echo": call(11, 0, F, ok(401, b'{"message":"Otp-5pAss$q","mfaId":"m1"}')),
})

# BosBase's own services (ops 12-22): their answers, right and wrong, decoded into typed results.
write("response_path", {
    "vector_batch_ok": call(12, 13, F | 0x40, ok(200, b'{"insertedCount":2,"failedCount":0,"ids":["a","b"]}'),
                            ok(200, b'{"results":[{"document":{"id":"a","vector":[1,0,0.5]},"score":1,'
                                    b'"distance":1}],"queryTime":3}')),
    "vector_batch_null_ids": call(12, 0, F, ok(200, b'{"insertedCount":0,"failedCount":2,"ids":null,'
                                                    b'"errors":["Document 0: x","Document 1: y"]}')),
    "vector_batch_huge_count": call(12, 0, F, ok(200, b'{"insertedCount":18446744073709551615,"failedCount":0}')),
    "vector_search_bad_hit": call(13, 0, F, ok(200, b'{"results":[{"document":null,"score":"1"}]}')),
    "vector_list_page": call(14, 15, F | 0x40, ok(200, b'{"items":[{"id":"a","vector":[1,2,3]}],"page":1,'
                                                       b'"perPage":100,"totalItems":1,"totalPages":1}'),
                             ok(200, b'[{"id":"c1","name":"docs","dimension":3,"distance":"cosine","count":1}]')),
    "vector_list_page_overflow": call(14, 0, F, ok(200, b'{"items":[],"page":4294967296,"perPage":1,"totalItems":0}')),
    "vector_collections_object": call(15, 0, F, ok(200, b'{"items":[]}')),
    "llm_get_ok": call(16, 17, F | 0x40, ok(200, b'{"id":"n1","content":"c","metadata":{"k":"v"},"embedding":[0.5]}'),
                       ok(200, b'{"results":[{"id":"n1","content":"c","metadata":null,"similarity":0.9}]}')),
    "llm_get_metadata_number": call(16, 0, F, ok(200, b'{"id":"n1","metadata":{"k":1}}')),
    "llm_query_no_results": call(17, 0, F, ok(200, b'{"result":[]}')),
    "completion_tool_call": call(18, 0, F, ok(200, b'{"content":"","stopReason":"tool_calls","toolCalls":[{"id":"t",'
                                                   b'"type":"function","functionCall":{"name":"f","arguments":"{}"}}],'
                                                   b'"generationInfo":{"TotalTokens":3}}')),
    "completion_echoes_key": call(18, 0, F, ok(500, b'{"message":"bad key Ak-3kEy%z","data":{"apiKey":"Ak-3kEy%z"}}')),
    "completion_bad_tool_calls": call(18, 0, F, ok(200, b'{"content":"x","toolCalls":{"id":"t"}}')),
    "rag_sources": call(19, 20, F | 0x40, ok(200, b'{"answer":"a","sources":[{"content":"c","metadata":{"k":"v"},'
                                                  b'"score":0.8}]}'),
                        ok(200, b'{"sql":"SELECT 1","answer":"one","columns":["x"],"rows":[["1"],["NULL"]],'
                                b'"rawResult":"completed with 2 returned row(s)"}')),
    "rag_source_not_object": call(19, 0, F, ok(200, b'{"answer":"a","sources":["c"]}')),
    "sql_rows_numbers": call(20, 0, F, ok(200, b'{"sql":"SELECT 1","rows":[[1]]}')),
    "cache_entry_ok": call(21, 22, F | 0x40, ok(200, b'{"cache":"answers","key":"k1","value":{"a":[1]},'
                                                     b'"source":"cache","expiresAt":"2030-01-01 00:00:00.000Z"}'),
                           ok(200, b'{"items":[{"name":"answers","sizeBytes":8388608,"defaultTTLSeconds":300,'
                                   b'"readTimeoutMs":25,"entryCount":1,"hitRate":0.5}]}')),
    "cache_entry_no_value": call(21, 0, F, ok(200, b'{"cache":"answers","key":"k1"}')),
    "cache_list_not_items": call(22, 0, F, ok(200, b'[{"name":"answers"}]')),
})


# BosBase's admin-side services (ops ADMIN + 0 to ADMIN + 14; 12-22 are the AI half's).
ADMIN = 23
write("response_path", {
    "redis_page_then_entry": call(ADMIN + 0, ADMIN + 1, F | 0x40,
                                  ok(200, b'{"cursor":"17","items":[{"key":"session:1"},{"key":"session:2"}]}'),
                                  ok(200, b'{"key":"session:1","value":{"n":[1,null]},"ttlSeconds":60}')),
    "redis_cursor_number": call(ADMIN + 0, 0, F, ok(200, b'{"cursor":0,"items":[]}')),
    "redis_entry_no_value": call(ADMIN + 1, 0, F, ok(200, b'{"key":"session:1","ttlSeconds":1e400}')),
    "graphql_errors_in_200": call(ADMIN + 2, 0, F, ok(200, b'{"data":null,"errors":[{"message":"Cannot query field",'
                                                         b'"locations":[{"line":1,"column":3}],"path":["records"]}]}')),
    "graphql_bad_location": call(ADMIN + 2, 0, F, ok(200, b'{"errors":[{"message":"x","locations":[{"line":"1"}]}]}')),
    "graphql_403": call(ADMIN + 2, 0, F, ok(403, b'{"status":403,"message":"Only superusers can access the GraphQL API.",'
                                                 b'"data":{}}')),
    "sql_rows_then_schema": call(ADMIN + 3, ADMIN + 4, F | 0x40,
                                 ok(200, b'{"columns":["id","n"],"rows":[["1","NULL"]]}'),
                                 ok(200, b'{"name":"posts","type":"base","fields":[{"name":"id","type":"text",'
                                         b'"required":true,"system":true}]}')),
    "sql_row_number": call(ADMIN + 3, 0, F, ok(200, b'{"columns":["id"],"rows":[[1]],"rowsAffected":-1}')),
    "schema_fields_object": call(ADMIN + 4, 0, F, ok(200, b'{"name":"posts","type":"base","fields":{}}')),
    "schemas_not_array": call(ADMIN + 5, 0, F, ok(200, b'{"collections":{"posts":{}}}')),
    "register_then_import": call(ADMIN + 6, ADMIN + 7, F | 0x40, ok(200, b'[{"id":"c1","name":"legacy"}]'),
                                 ok(200, b'{"created":[],"skipped":["notes"]}')),
    "import_skipped_numbers": call(ADMIN + 7, 0, F, ok(200, b'{"created":[],"skipped":[1]}')),
    "apple_echoes_key": call(ADMIN + 8, 0, F, ok(400, b'{"message":"Failed to generate client secret. Raw error: \\n'
                                                      b'-----BEGIN PRIVATE KEY-----\\nPk-8pRiv^k\\n-----END PRIVATE KEY'
                                                      b'-----\\n","data":{}}')),
    "apple_secret_number": call(ADMIN + 8, 0, F, ok(200, b'{"secret":7}')),
    "scripts_then_execute": call(ADMIN + 9, ADMIN + 10, F | 0x40,
                                 ok(200, b'{"items":[{"id":"s1","name":"greet","content":"x","version":1}]}'),
                                 ok(200, b'{"output":"[\\"a\\"]"}')),
    "script_version_text": call(ADMIN + 9, 0, F, ok(200, b'{"items":[{"id":"s1","name":"g","content":"x","version":"1"}]}')),
    "job_done_then_upload": call(ADMIN + 11, ADMIN + 12, F | 0x40,
                                 ok(200, b'{"id":"job-1","scriptName":"greet","status":"done","output":"x",'
                                         b'"startedAt":"2026-01-01T00:00:00Z","finishedAt":"2026-01-01T00:00:01Z"}'),
                                 ok(200, b'{"output":"uploaded in/a.txt to /pb/functions","path":"/pb/functions/in/a.txt"}')),
    "job_status_null": call(ADMIN + 11, 0, F, ok(200, b'{"id":"job-1","status":null}')),
    "wasm_then_permission": call(ADMIN + 13, ADMIN + 14, F | 0x40,
                                 ok(200, b'{"output":"3","stdout":"","stderr":"","duration":"1.2ms"}'),
                                 ok(200, b'{"id":"p1","scriptName":"greet","content":"user","version":2}')),
    "wasm_500": call(ADMIN + 13, 0, F, ok(500, b'{"status":500,"message":"Failed to get WASM manager.","data":{}}')),
    "permission_no_name": call(ADMIN + 14, 0, F, ok(200, b'{"id":"p1","content":"user","version":1}')),
})


# bosbase-typegen's schema reader (op ADMIN + 15) on a page of the collections list.
write("response_path", {
    "typegen_every_type": call(ADMIN + 15, 0, F, ok(200, b'{"page":1,"perPage":500,"totalItems":2,"totalPages":1,'
                               b'"items":[{"id":"pbc_1","name":"posts","type":"base","fields":['
                               b'{"name":"id","type":"text"},{"name":"n","type":"number","onlyInt":true},'
                               b'{"name":"s","type":"select","maxSelect":2,"values":["a b","c"]},'
                               b'{"name":"r","type":"relation","maxSelect":1,"collectionId":"pbc_2"},'
                               b'{"name":"g","type":"geoPoint"},{"name":"v","type":"vector","dimension":3},'
                               b'{"name":"d","type":"autodate"},{"name":"x","type":"hologram"}]},'
                               b'{"id":"pbc_2","name":"users","type":"auth","fields":[{"name":"password",'
                               b'"type":"password"},{"name":"tokenKey","type":"text"}]}]}')),
    "typegen_name_clash": call(ADMIN + 15, 0, F, ok(200, b'{"items":[{"name":"c","fields":[{"name":"a-b","type":"text"},'
                                                       b'{"name":"a_b","type":"text"}]}]}')),
    "typegen_bad_shapes": call(ADMIN + 15, 0, F, ok(200, b'{"items":[{"name":"c","type":"view","fields":[{"name":"f",'
                                                       b'"type":"select","maxSelect":"2","values":[1]}]}]}')),
})

# sse_parser: [cap: u16][split count][split sizes][stream bytes]
def sse(cap: int, splits: list, stream: bytes) -> bytes:
    return struct.pack(">H", cap) + bytes([len(splits)]) + bytes(splits) + stream


write("sse_parser", {
    "pb_connect": sse(4000, [3, 1, 7], b'id:abc\nevent:PB_CONNECT\ndata:{"clientId":"abc"}\n\n'),
    "line_ends": sse(4000, [1, 1, 1, 1, 1], b"event:a\r\ndata:1\rdata:2\n\r\n:comment\r\n"),
    "crlf_split": sse(4000, [7], b"data:x\r\n\r\ndata:y\r\n\r\n"),
    "multi_line": sse(4000, [2, 5], b"data:l1\ndata:l2\ndata:\n\nid:7\nretry:1500\ndata: z\n\n"),
    "bom": sse(4000, [1, 1], b"\xef\xbb\xbfdata:x\n\n"),
    "over_cap": sse(0, [9], b"data:" + b"x" * 64 + b"\n\ndata:after\n\n"),
    "endless_line": sse(8, [3, 3, 3], b"y" * 200),
})


# pubsub_frame: [max depth - 1][topic: s8][frame text]
def pubsub(depth: int, topic: bytes, text: bytes) -> bytes:
    return bytes([depth - 1]) + s8(topic) + text


write("pubsub_frame", {
    "ready": pubsub(16, b"chat", b'{"type":"ready","clientId":"abc"}'),
    "message": pubsub(16, b"chat/general", b'{"type":"message","id":"m1","topic":"chat","data":{"event":"join",'
                                          b'"payload":{"u":1},"ref":"r"},"created":"2026-12-04 18:12:38.148Z"}'),
    "published": pubsub(16, b"t", b'{"type":"published","requestId":"cpp2","id":"x","topic":"t","created":"c"}'),
    "error_no_id": pubsub(16, b"t", b'{"type":"error","message":"invalid message format"}'),
    "wrong_types": pubsub(16, b"t", b'{"type":"message","id":7,"topic":null,"data":[1,2],"created":{}}'),
    "no_type": pubsub(16, b"t", b'{"clientId":"abc"}'),
    "not_object": pubsub(16, b"t", b'["type","ready"]'),
    "too_deep": pubsub(2, b"t", b'{"type":"message","data":{"a":{"b":{"c":1}}}}'),
    "blank_topic": pubsub(16, b"  ", b'{"type":"pong","requestId":"1"}'),
    "bad_utf8_topic": pubsub(16, b"\xff\xfe", b'{"type":"pong"}'),
    "garbage": pubsub(16, b"t", b'{not json'),
})


# session_file: [max depth - 1][file bytes]
def session(depth: int, text: bytes) -> bytes:
    return bytes([depth - 1]) + text


SESSION_TOKEN = jwt(AUTH).decode()
write("session_file", {
    "valid": session(16, json.dumps({"format": "bosbase-session/1", "token": SESSION_TOKEN,
                                     "record": {"id": "r1", "collectionName": "users"}}).encode()),
    "null_record": session(16, json.dumps({"format": "bosbase-session/1", "token": SESSION_TOKEN,
                                           "record": None}).encode()),
    "no_format": session(16, json.dumps({"token": SESSION_TOKEN}).encode()),
    "foreign_format": session(16, json.dumps({"format": "other/1", "token": SESSION_TOKEN}).encode()),
    "empty_token": session(16, b'{"format":"bosbase-session/1","token":""}'),
    "crlf_token": session(16, b'{"format":"bosbase-session/1","token":"abc\\r\\nX-Evil: 1"}'),
    "record_array": session(16, json.dumps({"format": "bosbase-session/1", "token": SESSION_TOKEN,
                                            "record": [1, 2]}).encode()),
    "too_deep": session(2, json.dumps({"format": "bosbase-session/1", "token": SESSION_TOKEN,
                                       "record": {"a": {"b": {"c": 1}}}}).encode()),
    "torn": session(16, b'{"format":"bosbase-session/1","token":"eyJhbGciOiJIUzI1NiJ9.e30.c2ln","rec'),
    "not_object": session(16, b'["bosbase-session/1"]'),
    "empty": session(16, b""),
    "bad_utf8": session(16, b'{"format":"bosbase-session/1","token":"\xff\xfe"}'),
})


# download: see tests/fuzz/download.cpp for the layout.
FILE_TOKEN = b"Ft-6fIle~tOk"
STORED = (b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXBlIjoiYXV0aCIsImlkIjoicjEiLCJjb2xsZWN0aW9uSWQiOiJfcGJfdXNlcnNf"
          b"YXV0aF8iLCJyZWZyZXNoYWJsZSI6ZmFsc2UsImV4cCI6NDEwMjQ0NDgwMH0.c2lnbmF0dXJl")
TO_PATH, BACKUP, WITH_TOKEN, CAPPED, PROGRESS, CANCEL, SIGNED_IN, OWN_CAP = (1 << n for n in range(8))
RECEIVE, CANCELED, TOO_LARGE, RUNTIME_ERROR = 7, 8, 9, 12


def dl(flags: int, status: int, body: bytes, length_mode: int = 1, length: int = 0, length_text: bytes = b"",
       headers=(), pieces=(7, 64), fail_at: int = 0, fail_mode: int = 0, message: bytes = b"", cap: int = 0,
       stop_at: int = 0, cancel_at: int = 0, existing: bool = False) -> bytes:
    out = bytes([flags, 1 if existing else 0]) + struct.pack(">H", status) + bytes([len(headers)])
    for name, value in headers:
        out += s8(name) + s8(value)
    out += bytes([length_mode]) + struct.pack(">H", length) + s8(length_text) + s16(body)
    out += bytes([len(pieces)]) + bytes(p - 1 for p in pieces)
    return out + bytes([fail_at, fail_mode]) + s8(message) + struct.pack(">H", cap) + bytes([stop_at, cancel_at])


FILE_BYTES = bytes((i * 7 + i // 13) % 251 for i in range(300))
write("download", {
    "ok_stream": dl(WITH_TOKEN | SIGNED_IN, 200, FILE_BYTES, headers=[(b"Content-Type", b"application/pdf")]),
    "ok_path_replaces": dl(TO_PATH | WITH_TOKEN | PROGRESS, 200, FILE_BYTES, existing=True),
    "backup_fetches_token": dl(TO_PATH | BACKUP | SIGNED_IN, 200, FILE_BYTES, length_mode=0, pieces=(1, 100)),
    "short_body_path": dl(TO_PATH | WITH_TOKEN, 200, FILE_BYTES, length_mode=2, length=310, existing=True),
    "long_body_stream": dl(WITH_TOKEN, 200, FILE_BYTES, length_mode=2, length=200),
    "garbage_length": dl(TO_PATH, 200, FILE_BYTES, length_mode=3, length_text=b"12abc"),
    "two_lengths": dl(0, 200, FILE_BYTES, headers=[(b"content-length", b"299")]),
    "encoded": dl(TO_PATH, 200, FILE_BYTES, length_mode=4, length=17),
    "over_cap": dl(TO_PATH | CAPPED, 200, FILE_BYTES, cap=100),
    "over_cap_announced": dl(CAPPED | OWN_CAP, 200, FILE_BYTES, cap=299, pieces=(255,)),
    "fails_mid_body": dl(TO_PATH | WITH_TOKEN | SIGNED_IN, 200, FILE_BYTES, fail_at=3, fail_mode=RECEIVE,
                         message=b"reset; url was /api/files/x?token=" + FILE_TOKEN, existing=True),
    "throws_mid_body": dl(WITH_TOKEN | SIGNED_IN, 200, FILE_BYTES, fail_at=2, fail_mode=RUNTIME_ERROR,
                          message=b"Bearer " + STORED),
    "fails_before_head": dl(TO_PATH | BACKUP, 200, FILE_BYTES, fail_at=1, fail_mode=CANCELED),
    "progress_stops": dl(TO_PATH | PROGRESS, 200, FILE_BYTES, stop_at=3),
    "cancel_from_progress": dl(CANCEL | WITH_TOKEN, 200, FILE_BYTES, cancel_at=2),
    "cancel_on_last_piece": dl(TO_PATH | CANCEL, 200, FILE_BYTES, pieces=(255, 255), cancel_at=3),
    "not_found_echo": dl(TO_PATH | WITH_TOKEN | SIGNED_IN, 404,
                         b'{"status":404,"message":"no file for token Ft-6fIle~tOk","data":{}}', existing=True),
    "redirect": dl(BACKUP | WITH_TOKEN, 302, b"", headers=[(b"Location", b"/api/backups/b1.zip?token=Ft-6fIle~tOk")]),
})


# oauth2_redirect: see tests/fuzz/oauth2_redirect.cpp for the layout.
def o2_push(event=0, state=0, code=0, error=0, shape=0, wrong=b"", tail=b"", error_text=b"", depth=0, padding=0,
            raw=b"") -> bytes:
    out = bytes([event, state]) + (s8(wrong) if state == 1 else b"")
    out += bytes([code]) + (s8(tail) if code == 1 else b"")
    out += bytes([error]) + (s8(error_text) if error == 2 else b"")
    out += bytes([shape])
    if shape == 1:
        out += bytes([depth])
    elif shape == 2:
        out += struct.pack(">H", padding)
    elif shape == 3:
        out += s8(raw)
    return out


def o2(flags=0, methods=b"\x00\x00\x00", connect=b"\x00", junk=b":hello\n", post=0, pushes=(o2_push(),),
       exchange_status=200, exchange=b"\x00") -> bytes:
    return (bytes([flags]) + methods + connect + s8(junk) + struct.pack(">H", post) + bytes([len(pushes)])
            + b"".join(pushes) + struct.pack(">H", exchange_status) + exchange)


O2_SIGNED_IN, O2_CANCEL, O2_SCOPES, O2_FAIL_AFTER = 1, 2, 4, 8
write("oauth2_redirect", {
    "happy": o2(),
    "happy_signed_in_scopes": o2(flags=O2_SIGNED_IN | O2_SCOPES, pushes=(o2_push(event=1), o2_push())),
    "fuzzed_client_id": o2(connect=b"\x01" + s8(b"zz-9"), exchange=b"\x01" + s16(b'{"token":"a.b.c","record":{}}')),
    "id_field_client_id": o2(connect=b"\x03" + s8(b"Cid-fromIdField")),
    "no_client_id": o2(connect=b"\x04" + s8(b"not json")),
    "number_client_id": o2(connect=b"\x05", junk=b"id:Cid-lastEventId\ndata:x\n\n"),
    "subscription_refused": o2(post=404),
    "wrong_state": o2(pushes=(o2_push(state=1, wrong=b"Cid-4fQz9Lw2X"),)),
    "no_state": o2(pushes=(o2_push(state=2),)),
    "provider_error": o2(pushes=(o2_push(code=2, error=1),)),
    "provider_error_echoes": o2(pushes=(o2_push(code=1, tail=b"Zq81", error=2,
                                                error_text=b"denied Cid-4fQz9Lw2Xb Code-Zq81"),)),
    "error_number": o2(pushes=(o2_push(error=3),)),
    "code_number": o2(pushes=(o2_push(code=3),)),
    "too_deep": o2(pushes=(o2_push(shape=1, depth=40), o2_push())),
    "huge": o2(pushes=(o2_push(shape=2, padding=4000),)),
    "not_json": o2(pushes=(o2_push(shape=3, raw=b'{"state":"Cid-4fQz9Lw2Xb","code":"Code-8xJw3RtQ"}'),)),
    "only_other_events": o2(flags=O2_FAIL_AFTER, pushes=(o2_push(event=1),)),
    "no_pushes": o2(pushes=()),
    "cancel_in_callback": o2(flags=O2_CANCEL),
    "exchange_refused_echoes": o2(flags=O2_SIGNED_IN, exchange_status=400, exchange=b"\x02"),
    "exchange_no_token": o2(exchange=b"\x01" + s16(b'{"record":{"id":"r2"}}')),
    "methods_500": o2(methods=b"\x01" + struct.pack(">H", 500) + s16(b'{"message":"boom"}')),
    "unknown_provider": o2(methods=b"\x02\x02" + s8(b"github") + s8(b"https://gh/?x=") + s8(b"") + s8(b"")),
    "methods_fail": o2(methods=b"\x03\x07"),
    "odd_auth_url": o2(methods=b"\x00\x01" + s8(b"https://idp/a?state=1&&st%61te=2&x=%zz#frag?y=\xff") + b"\x01"
                       + s8(b"v")),
    "no_auth_url": o2(methods=b"\x00\x02\x02"),
})


# ws_frame: [cap: 2 bytes][mode][piece seed][rest]; mode odd: [flags][s8 or s16 payload]...
def ws_raw(cap: int, seed: int, data: bytes) -> bytes:
    return struct.pack(">H", cap) + b"\x00" + bytes([seed]) + data


def ws_script(cap: int, seed: int, *messages) -> bytes:
    out = struct.pack(">H", cap) + b"\x01" + bytes([seed])
    for flags, payload in messages:
        out += bytes([flags]) + (s16(payload) if flags & 16 else s8(payload))
    return out


def ws_frame(opcode: int, payload: bytes, fin: bool = True, mask: bytes = b"") -> bytes:
    n = len(payload)
    head = bytes([(0x80 if fin else 0) | opcode])
    bit = 0x80 if mask else 0
    if n < 126:
        head += bytes([bit | n])
    elif n < 65536:
        head += bytes([bit | 126]) + struct.pack(">H", n)
    else:
        head += bytes([bit | 127]) + struct.pack(">Q", n)
    if mask:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + mask + payload


write("ws_frame", {
    "text_and_binary": ws_raw(1024, 3, ws_frame(1, b'{"type":"ready","clientId":"a"}') + ws_frame(2, b"\x00\x01")),
    "lengths_16_and_64": ws_raw(0xFFFF, 7, ws_frame(1, b"x" * 300) + ws_frame(2, b"y" * 65536)),
    "fragments_and_ping": ws_raw(100, 0, ws_frame(1, b"hel", False) + ws_frame(9, b"p") + ws_frame(0, b"lo", False)
                                 + ws_frame(0, b"!", True) + ws_frame(10, b"")),
    "over_cap_then_small": ws_raw(10, 1, ws_frame(1, b"z" * 50, False) + ws_frame(0, b"z" * 50) + ws_frame(1, b"ok")),
    "close": ws_raw(10, 2, ws_frame(8, b"\x03\xe8bye") + ws_frame(1, b"late")),
    "masked": ws_raw(10, 2, ws_frame(1, b"hi", mask=b"\x01\x02\x03\x04")),
    "control_fragmented": ws_raw(10, 5, ws_frame(9, b"p", False)),
    "control_too_long": ws_raw(200, 5, ws_frame(10, b"q" * 126)),
    "reserved_bits": ws_raw(10, 5, b"\xc1\x01a"),
    "huge_length": ws_raw(10, 9, b"\x82\x7f\x7f\xff\xff\xff\xff\xff\xff\xff" + b"a" * 64),
    "top_bit_length": ws_raw(10, 9, b"\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x00"),
    "orphan_continuation": ws_raw(10, 4, ws_frame(0, b"x")),
    "script_mixed": ws_script(64, 11, (0, b"hello"), (1, b"\x00\xff"), (2 | 8, b"split in two"),
                              (6, b"four fragments here"), (16, b"w" * 300), (0, b"")),
    "script_over_cap": ws_script(16, 200, (4 | 8, b"x" * 40), (0, b"fits"), (17, b"b" * 1000)),
    "script_zero_cap": ws_script(0, 1, (0, b""), (0, b"a"), (8, b"")),
})


# http_head: [mode][rest]; see tests/fuzz/http_head.cpp for each mode's layout.
def head_built(status: int, reason: bytes, *headers) -> bytes:
    out = b"\x01" + struct.pack(">H", status - 100) + s8(reason)
    for flags, name, value in headers:
        out += bytes([flags]) + s8(name) + s8(value)
    return out


def chunks_raw(cap: int, cut: int, data: bytes) -> bytes:
    return b"\x02" + struct.pack(">HH", cap, cut) + data


def chunks_built(cap: int, seed: int, body: bytes, trailer: bytes = b"\r\n") -> bytes:
    return b"\x03" + struct.pack(">H", cap) + bytes([seed]) + s16(body) + trailer


write("http_head", {
    "upgrade_101": b"\x00HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
                   b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
    "proxy_407": b"\x00HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"p\"\r\n"
                 b"Content-Length: 0",
    "connect_200": b"\x00HTTP/1.0 200 Connection established",
    "bare_lf_value": b"\x00HTTP/1.1 200 OK\r\nX-A: a\nInjected: 1\r\nX-B:\tb \t",
    "bare_cr_name": b"\x00HTTP/1.1 200 OK\r\nX\rY: 1",
    "status_000": b"\x00HTTP/1.1 000 Zero\r\nUpgrade: websocket",
    "not_http1": b"\x00HTTP/2 101\r\nUpgrade: websocket",
    "tls_alert": b"\x00\x15\x03\x01\x00\x02\x02\x46",
    "empty_name": b"\x00HTTP/1.1 101 x\r\n: v",
    "built": head_built(101, b"Switching Protocols", (1, b"Upgrade", b"websocket"), (0, b"Connection", b" Upgrade\t"),
                        (1, b"X-Empty", b""), (1, b"Odd:name", b"v\r\nw")),
    "built_999": head_built(999, b"", (0, b"Content-Length", b"12")),
    "chunks_ext": chunks_raw(100, 12, b"5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n"),
    "chunks_capped": chunks_raw(7, 9, b"5\r\nhello\r\n6\r\n world\r\n"),
    "chunks_huge_size": chunks_raw(100, 3, b"ffffffffffffffff\r\nabc"),
    "chunks_no_crlf_after": chunks_raw(100, 20, b"5\r\nhelloXX3\r\nabc\r\n0\r\n\r\n"),
    "chunks_no_size": chunks_raw(100, 2, b"\r\n5\r\nhello\r\n"),
    "built_body": chunks_built(4096, 7, b'{"status":403,"message":"The request is forbidden.","data":{}}' * 9),
    "built_capped": chunks_built(10, 1, b"x" * 700),
    "built_empty": chunks_built(10, 3, b"", b"X-Trailer: 1\r\n\r\n"),
})


# proxy_url: [mode][rest]; see tests/fuzz/proxy_url.cpp for the layouts.
def proxy_raw(setting: bytes, url: bytes) -> bytes:
    return b"\x00" + s8(setting) + url


def proxy_built(flags: int, scheme_kind: int, user: bytes, password: bytes, host: bytes, port: int = 0,
                path: bytes = b"", scheme: bytes = b"") -> bytes:
    return (b"\x01" + bytes([flags, scheme_kind]) + s8(scheme) + s8(user) + s8(password) + s8(host)
            + struct.pack(">H", port) + s8(path))


write("proxy_url", {
    "encoded_credentials": proxy_raw(b"options", b"http://user%40corp:p%3Ass@proxy.corp:3128/"),
    "bare_ipv4": proxy_raw(b"http_proxy", b"10.0.0.1"),
    "ipv6": proxy_raw(b"HTTPS_PROXY", b"HTTP://[::1]:8080"),
    "socks": proxy_raw(b"ALL_PROXY", b"socks5://u:secret-pw@h:1080"),
    "scheme_in_path": proxy_raw(b"HTTPS_PROXY", b"u:secret-pw@h/x://y"),
    "scheme_in_password": proxy_raw(b"HTTPS_PROXY", b"u:pw://x@h:1"),
    "port_too_big": proxy_raw(b"options", b"http://h:65536"),
    "unclosed_ipv6": proxy_raw(b"options", b"http://[::1"),
    "built_clean": proxy_built(1 | 2 | 8 | 16, 1, b"user", b"pw", b"proxy.corp", 3128, b"/"),
    "built_encoded": proxy_built(1 | 2 | 4 | 8, 2, b"u@corp", b":/@%\x00", b"10.0.0.1", 1),
    "built_other_scheme": proxy_built(1 | 2, 3, b"u", b"pw", b"h", scheme=b"socks5h"),
    "built_scheme_in_password": proxy_built(1 | 2, 0, b"u", b"pw://x", b"h"),
    "built_path_scheme": proxy_built(1 | 2 | 16, 0, b"u", b"pw", b"h", path=b"/a://b"),
})
