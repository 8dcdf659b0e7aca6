package dev.streamlens.query.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.streamlens.model.AlertRule;
import dev.streamlens.model.EventJson;
import dev.streamlens.model.FieldError;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads a rule from a request body, strictly: an unknown field (a misspelt "treshold") or a value of
 * the wrong type is a 400 naming that field, never a rule silently different from the one meant.
 */
final class AlertRuleBody {

    private static final ObjectReader READER = EventJson.mapper()
            .readerFor(AlertRule.class)
            .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .with(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** The rule, or the problem with the body. */
    record Parsed(AlertRule rule, List<FieldError> errors) {}

    private AlertRuleBody() {}

    static Parsed parse(String body) {
        if (body == null || body.isBlank()) {
            return new Parsed(null, List.of(new FieldError("body", "is required: a JSON alert rule")));
        }
        try {
            AlertRule rule = READER.readValue(body);
            if (rule == null) {
                return new Parsed(null, List.of(new FieldError("body", "must be a JSON object")));
            }
            return new Parsed(rule, List.of());
        } catch (UnrecognizedPropertyException e) {
            return new Parsed(null, List.of(new FieldError(e.getPropertyName(), "is not a field of an alert rule")));
        } catch (JsonMappingException e) {
            String field = e.getPath().stream()
                    .map(JsonMappingException.Reference::getFieldName)
                    .filter(name -> name != null)
                    .collect(Collectors.joining("."));
            return new Parsed(
                    null,
                    List.of(
                            field.isEmpty()
                                    ? new FieldError("body", "must be a JSON object")
                                    : new FieldError(field, "has the wrong type")));
        } catch (JsonProcessingException e) {
            return new Parsed(null, List.of(new FieldError("body", "is not valid JSON")));
        }
    }
}
