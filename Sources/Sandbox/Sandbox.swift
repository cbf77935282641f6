// Sandbox: a loopback emulator of Omnigage, S3 browser-POST and Whispir (docs/design.md, "Sandbox").
//
// Start it in-process with `SandboxServer(configuration:).start()` (returns a `RunningSandbox`; call
// `stop()`), or serve in the foreground with `run(onReady:)` until the task is cancelled.
// It binds 127.0.0.1 only; the credentials it accepts are the public constants in `SandboxCredentials`.
//
// Routes (ROOT = http://127.0.0.1:PORT):
//   ROOT/omnigage/api/v1/uploads                       POST  pre-signed SigV2 S3 form (flat or single-quoted JSON)
//   ROOT/omnigage/api/v1/uploads/{id}                  GET
//   ROOT/omnigage/api/v1/import-contacts               POST  JSON:API; header/mapping/sample read through Tables.open
//   ROOT/omnigage/api/v1/import-contacts/{id}          GET   queued -> in-progress -> completed (per poll or time); PATCH
//   ROOT/omnigage/api/v1/import-contacts/{id}/results  GET   one entry per row (emulator's shape)
//   ROOT/omnigage/api/v1/files/{id}, ROOT/omnigage/files/{id}   file resource and its bytes (errors file)
//   ROOT/s3/roster-sandbox/                            POST  multipart form, policy + signature enforced, streamed to disk
//   ROOT/whispir[/workspaces/{ws}]/resources[/{id}]    POST/GET/PUT/DELETE  base64 derefUri, 10 MB request limit
//   ROOT/whispir[/workspaces/{ws}]/imports             POST  import-v1 / importcontact-v1, importMode in either place
//   ROOT/whispir[/workspaces/{ws}]/contacts            GET   field filters, limit/offset
//   ROOT/whispir[/workspaces/{ws}]/activities          GET   one "Contact Import File" entry per import
//   ROOT/whispir/workspaces                            GET
//   ROOT/_sandbox/faults                               POST a rule, GET the armed rules, DELETE to clear
//   ROOT/_sandbox/stats                                GET request and creation counts (JSON, below), DELETE to zero them
//
// `GET /_sandbox/stats` counts since start or the last DELETE (data restored from a data folder is not counted):
//   {"requests": N,                                    every request outside /_sandbox, refused and faulted ones included
//    "omnigage": {"requests": N, "uploads_created": N, "imports_created": N},
//    "s3": {"requests": N, "posts": N, "objects_stored": N},
//    "whispir": {"requests": N, "resources_created": N, "imports_created": N}}
// Creations count only what the vendor accepted (201/202; S3: its success answer); `posts` counts stored POST uploads,
// `objects_stored` the objects held now (a DELETE leaves it as is). Admin requests are never counted.
