package dev.streamlens.ingest.intake;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamlens.ingest.EventType;
import dev.streamlens.ingest.IngestMetrics;
import dev.streamlens.ingest.IngestSettings;
import dev.streamlens.ingest.ValidatedEvent;
import dev.streamlens.model.EventJson;
import dev.streamlens.model.EventParser;
import dev.streamlens.model.FieldError;
import dev.streamlens.model.LlmRequest;
import dev.streamlens.model.LlmResponse;
import dev.streamlens.model.ParseResult;
import dev.streamlens.model.ValidationLimits;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether an event may be taken in: valid by the shared event model's rules
 * (docs/EVENTS.md) and, with API keys on, of the caller's tenant. Refusals are counted by reason.
 * Only {@link EventIntake} calls it; the adapters go through the intake.
 */
@ApplicationScoped
class EventChecks {

    private EventParser parser;

    @Inject
    IngestSettings settings;

    @Inject
    IngestMetrics metrics;

    /**
     * The shared validation rules, with metadata bounds from the settings. They may only be
     * tightened: the job validates again with the defaults and would dead-letter what a relaxed
     * service accepted.
     */
    @PostConstruct
    void limits() {
        ValidationLimits defaults = ValidationLimits.DEFAULTS;
        if (settings.maxMetadataKeys() > defaults.maxMetadataKeys()
                || settings.maxMetadataDepth() > defaults.maxMetadataDepth()
                || settings.maxMetadataBytes() > defaults.maxMetadataBytes()) {
            throw new IllegalStateException(
                    "streamlens.ingest.max-metadata-* may only be lowered below the job's limits ("
                            + defaults.maxMetadataKeys() + " keys, depth " + defaults.maxMetadataDepth() + ", "
                            + defaults.maxMetadataBytes() + " bytes)");
        }
        parser = new EventParser(
                new ValidationLimits(
                        defaults.maxIdentifierLength(),
                        defaults.maxErrorLength(),
                        settings.maxMetadataBytes(),
                        settings.maxMetadataDepth(),
                        settings.maxMetadataKeys(),
                        defaults.maxTokens(),
                        defaults.maxLatencyMs(),
                        defaults.maxFutureSkew()),
                Clock.systemUTC());
    }

    /**
     * Checks an event; with API keys on ({@code caller} present) a request must belong to the
     * caller's tenant, and a response is recorded with the caller's tenant so the job joins it
     * only to that tenant's request.
     */
    IntakeVerdict check(EventType type, byte[] body, Optional<String> caller) {
        ParseResult<JsonNode> tree = parser.readTree(body);
        return tree.isValid() ? check(type, tree.event(), caller) : invalid(tree.errors());
    }

    IntakeVerdict check(EventType type, JsonNode json, Optional<String> caller) {
        return type == EventType.REQUEST ? checkRequest(json, caller) : checkResponse(json, caller);
    }

    /** A batch item, whose own {@code "type"} field names its type; an item that is not JSON is invalid. */
    IntakeVerdict checkItem(ParseResult<JsonNode> item, Optional<String> caller) {
        if (!item.isValid()) {
            metrics.rejected("body", 1);
            return IntakeVerdict.invalid(item.errors());
        }
        JsonNode json = item.event();
        JsonNode typeNode = json.isObject() ? json.get("type") : null;
        EventType type = typeNode != null && typeNode.isTextual() ? EventType.fromWireName(typeNode.textValue()) : null;
        if (type == null) {
            metrics.rejected("type", 1);
            return IntakeVerdict.invalid(List.of(new FieldError("type", "must be \"request\" or \"response\"")));
        }
        return check(type, json, caller);
    }

    private IntakeVerdict checkRequest(JsonNode json, Optional<String> caller) {
        ParseResult<LlmRequest> result = parser.parseRequest(json);
        if (!result.isValid()) {
            return invalid(result.errors());
        }
        LlmRequest request = result.event();
        if (caller.isPresent() && !caller.get().equals(request.tenantId())) {
            return forbidden();
        }
        return IntakeVerdict.valid(new ValidatedEvent(
                EventType.REQUEST, request.requestId(), EventJson.toBytes(request), request.tenantId()));
    }

    private IntakeVerdict checkResponse(JsonNode json, Optional<String> caller) {
        ParseResult<LlmResponse> result = parser.parseResponse(json);
        if (!result.isValid()) {
            return invalid(result.errors());
        }
        LlmResponse response = result.event();
        if (caller.isPresent()) {
            if (response.tenantId() != null && !caller.get().equals(response.tenantId())) {
                return forbidden();
            }
            response = response.withTenantId(caller.get());
        }
        return IntakeVerdict.valid(new ValidatedEvent(
                EventType.RESPONSE, response.requestId(), EventJson.toBytes(response), response.tenantId()));
    }

    private IntakeVerdict invalid(List<FieldError> errors) {
        metrics.rejected(errors.get(0).field(), 1);
        return IntakeVerdict.invalid(errors);
    }

    private IntakeVerdict forbidden() {
        metrics.rejected("tenant_forbidden", 1);
        return IntakeVerdict.forbidden(
                List.of(new FieldError("tenant_id", "does not match the tenant of the API key")));
    }
}
