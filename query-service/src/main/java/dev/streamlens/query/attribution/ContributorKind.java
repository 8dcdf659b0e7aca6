package dev.streamlens.query.attribution;

/** Whom a ranking is of: end users, sessions or tag values, each with its column of the metrics rows. */
public enum ContributorKind {
    USERS("top_users", "user_id"),
    SESSIONS("top_sessions", "session_id"),
    /** Values of the tenant's declared tag keys, ids {@code key=value} ({@link dev.streamlens.model.attribution.Tags}). */
    TAGS("top_tags", "tag");

    /** The column of {@code llm_metrics} holding the rows' summaries. */
    final String column;
    /** The query parameter naming one of them. */
    final String idParameter;

    ContributorKind(String column, String idParameter) {
        this.column = column;
        this.idParameter = idParameter;
    }
}
