package dev.streamlens.job.io;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** Where the metrics tables live: what the PostgreSQL sink needs of the job's settings. */
public record JdbcTarget(String url, String user, String password) implements Serializable {

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    @Override
    public String toString() {
        return url + " as " + user; // never the password
    }
}
