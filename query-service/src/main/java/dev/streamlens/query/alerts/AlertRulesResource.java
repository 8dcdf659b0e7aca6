package dev.streamlens.query.alerts;

import dev.streamlens.access.CallerTenant;
import dev.streamlens.model.AlertRule;
import dev.streamlens.model.FieldError;
import dev.streamlens.query.QueryAnswers;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

/**
 * {@code /v1/alert-rules}: create, list, read, replace and delete alert rules (docs/ALERTS.md). With
 * API keys a caller sees and changes only its own tenant's rules (another tenant's rule is "not
 * found"). A change is stored in PostgreSQL first and then published to the job, which applies it
 * at the next window's end without a restart.
 */
@Path("/v1/alert-rules")
@Produces(MediaType.APPLICATION_JSON)
public class AlertRulesResource {

    private static final Logger LOG = Logger.getLogger(AlertRulesResource.class);
    private static final int MAX_LISTED = 1000;

    @Inject
    AlertRuleRepository repository;

    @Inject
    AlertRulePublisher publisher;

    @Inject
    WebhookTargets webhooks;

    @Inject
    AlertSettings settings;

    @Inject
    CallerTenant caller;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create an alert rule (rule_id generated when absent)")
    public Response create(String body) {
        AlertRuleBody.Parsed parsed = AlertRuleBody.parse(body);
        if (!parsed.errors().isEmpty()) {
            return QueryAnswers.error(Response.Status.BAD_REQUEST, parsed.errors());
        }
        AlertRule rule = parsed.rule();
        String id = rule.ruleId() != null
                ? rule.ruleId()
                : "rule-"
                        + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        return write(rule, id, false);
    }

    @PUT
    @Path("/{rule_id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create or replace the alert rule with this id (a new version)")
    public Response replace(@PathParam("rule_id") String ruleId, String body) {
        AlertRuleBody.Parsed parsed = AlertRuleBody.parse(body);
        if (!parsed.errors().isEmpty()) {
            return QueryAnswers.error(Response.Status.BAD_REQUEST, parsed.errors());
        }
        if (parsed.rule().ruleId() != null && !parsed.rule().ruleId().equals(ruleId)) {
            return QueryAnswers.error(
                    Response.Status.BAD_REQUEST,
                    List.of(new FieldError("rule_id", "differs from the rule id in the path")));
        }
        return write(parsed.rule(), ruleId, true);
    }

    @GET
    @Operation(summary = "The alert rules of a tenant (with API keys: the caller's own)")
    public Response list(@QueryParam("tenant_id") String tenantId) {
        Optional<String> own = caller.get();
        if (own.isPresent() && tenantId != null && !tenantId.equals(own.get())) {
            return QueryAnswers.anotherTenant();
        }
        try {
            List<Map<String, Object>> listed = new ArrayList<>();
            for (StoredRule stored : repository.list(own.orElse(tenantId), MAX_LISTED)) {
                listed.add(view(stored));
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("rules", listed);
            answer.put("count", listed.size());
            return Response.ok(answer).build();
        } catch (SQLException e) {
            LOG.warn("alert rules query failed", e);
            return QueryAnswers.storeUnavailable();
        }
    }

    @GET
    @Path("/{rule_id}")
    @Operation(summary = "One alert rule")
    public Response get(@PathParam("rule_id") String ruleId) {
        try {
            Optional<StoredRule> stored = visible(ruleId);
            return stored.isPresent() ? Response.ok(view(stored.get())).build() : notFound();
        } catch (SQLException e) {
            LOG.warn("alert rule query failed", e);
            return QueryAnswers.storeUnavailable();
        }
    }

    @DELETE
    @Path("/{rule_id}")
    @Operation(summary = "Delete an alert rule; its open alerts resolve")
    public Response delete(@PathParam("rule_id") String ruleId) {
        try {
            Optional<StoredRule> stored = visible(ruleId);
            if (stored.isEmpty() || !repository.delete(stored.get().rule().tenantId(), ruleId)) {
                return notFound();
            }
            publisher.publish(ruleId);
            return Response.noContent().build();
        } catch (SQLException e) {
            LOG.warn("alert rule delete failed", e);
            return QueryAnswers.storeUnavailable();
        }
    }

    private Response write(AlertRule received, String ruleId, boolean replace) {
        Optional<String> own = caller.get();
        if (own.isPresent()
                && received.tenantId() != null
                && !received.tenantId().equals(own.get())) {
            return QueryAnswers.anotherTenant();
        }
        AlertRule rule = received.withIdentity(ruleId, own.orElse(received.tenantId()), 0);
        List<FieldError> problems = new ArrayList<>(rule.problems());
        if (rule.webhookUrl() != null
                && problems.stream().noneMatch(p -> p.field().equals("webhook_url"))) {
            webhooks.refusal(rule.webhookUrl())
                    .ifPresent(reason -> problems.add(new FieldError("webhook_url", reason)));
        }
        if (!problems.isEmpty()) {
            return QueryAnswers.error(Response.Status.BAD_REQUEST, problems);
        }
        try {
            AlertRuleRepository.Written written = repository.write(rule, replace, settings.maxRulesPerTenant());
            switch (written.outcome()) {
                case ID_TAKEN -> {
                    return QueryAnswers.error(
                            Response.Status.CONFLICT,
                            List.of(new FieldError(
                                    "rule_id",
                                    "is already taken; choose another or PUT /v1/alert-rules/" + ruleId
                                            + " to replace your own")));
                }
                case TOO_MANY_RULES -> {
                    return QueryAnswers.error(
                            Response.Status.CONFLICT,
                            List.of(new FieldError(
                                    "tenant_id",
                                    "already has " + settings.maxRulesPerTenant() + " rules, the most allowed")));
                }
                default -> {}
            }
            publisher.publish(ruleId);
            Map<String, Object> view = view(written.stored());
            return written.outcome() == AlertRuleRepository.Outcome.CREATED
                    ? Response.created(URI.create("/v1/alert-rules/" + ruleId))
                            .entity(view)
                            .build()
                    : Response.ok(view).build();
        } catch (SQLException e) {
            LOG.warn("alert rule write failed", e);
            return QueryAnswers.storeUnavailable();
        }
    }

    /** A live rule the caller may see: with API keys, only its own tenant's. */
    private Optional<StoredRule> visible(String ruleId) throws SQLException {
        Optional<String> own = caller.get();
        return repository
                .find(ruleId)
                .filter(s -> !s.deleted())
                .filter(s -> own.isEmpty() || own.get().equals(s.rule().tenantId()));
    }

    private static Response notFound() {
        return QueryAnswers.error(Response.Status.NOT_FOUND, List.of(new FieldError("rule_id", "names no rule")));
    }

    private static Map<String, Object> view(StoredRule stored) {
        @SuppressWarnings("unchecked")
        Map<String, Object> view =
                dev.streamlens.model.EventJson.mapper().convertValue(stored.rule(), LinkedHashMap.class);
        view.put("created_at", stored.createdAt().toString());
        view.put("updated_at", stored.updatedAt().toString());
        return view;
    }
}
