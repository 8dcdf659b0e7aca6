package dev.streamlens.job.io;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** Where the metrics tables live: what the PostgreSQL sink needs of the job's settings. */
public record JdbcTarget(String url, String user, String password) implements Serializable {

    /**
     * Bounds on a database that does not answer (a frozen server, a lost network): the write runs in
     * the task's thread, so it must give up in time and try again at the next checkpoint rather than
     * hold every operator of its task. A URL may set its own.
     */
    static final int CONNECT_TIMEOUT_S = 10;

    static final int SOCKET_TIMEOUT_S = 120;

    public Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_S));
        props.setProperty("loginTimeout", Integer.toString(CONNECT_TIMEOUT_S));
        props.setProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_S));
        return DriverManager.getConnection(url, props);
    }

    @Override
    public String toString() {
        return url + " as " + user; // never the password
    }
}
