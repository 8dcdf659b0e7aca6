package dev.streamlens.query.metrics;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Optional;

/** Reads {@code pipeline_progress} (sql/V5), which the job writes with every checkpoint's rows. */
@ApplicationScoped
public class PipelineProgressRepository {

    @Inject
    AgroalDataSource dataSource;

    /** Empty until the job has committed its first checkpoint with a watermark. */
    public Optional<Freshness> read() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT watermark_ms, window_ms, allowed_lateness_ms, updated_at "
                                + "FROM pipeline_progress WHERE pipeline = 'streamlens'");
                ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new Freshness(
                    rs.getLong(1),
                    rs.getLong(2),
                    rs.getLong(3),
                    rs.getObject(4, OffsetDateTime.class).toInstant()));
        }
    }
}
