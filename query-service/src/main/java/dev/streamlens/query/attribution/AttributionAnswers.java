package dev.streamlens.query.attribution;

import dev.streamlens.access.CallerTenant;
import dev.streamlens.model.attribution.Contributors.Figure;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the user, session and tag answers share: the range they open with, the ranking's name, the tenant check. */
final class AttributionAnswers {

    private AttributionAnswers() {}

    /** An answer's body, opened with the tenant and the range asked for. */
    static Map<String, Object> range(ContributorsQuery q) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tenant_id", q.tenantId());
        body.put("from", q.from().toString());
        body.put("to", q.to().toString());
        return body;
    }

    /** The {@code by} parameter's spelling of a figure. */
    static String byName(Figure figure) {
        return switch (figure) {
            case COST_NANO_USD -> "cost";
            case REQUESTS -> "requests";
            case TOKENS -> "tokens";
            case ERRORS -> "errors";
        };
    }

    /** With API keys on, a key reads its own tenant only. */
    static boolean isAnotherTenant(CallerTenant caller, ContributorsQuery q) {
        return isAnotherTenant(caller, q.tenantId());
    }

    static boolean isAnotherTenant(CallerTenant caller, String tenantId) {
        return caller.get().filter(tenant -> !tenant.equals(tenantId)).isPresent();
    }
}
