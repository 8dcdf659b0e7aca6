-- wrk: POST the OTLP protobuf export written by OtlpProtobufBody.java (512 GenAI spans), as the
-- OpenTelemetry Java SDK's default http/protobuf exporter sends it. The same body every time: the
-- ingest service does not deduplicate, so each export still writes 1,024 events.
local file = io.open(os.getenv("STREAMLENS_OTLP_BODY"), "rb")
wrk.body = file:read("*all")
file:close()
wrk.method = "POST"
wrk.path = "/v1/traces"
wrk.headers["Content-Type"] = "application/x-protobuf"
