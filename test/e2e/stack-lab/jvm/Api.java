// The JVM stack's HTTP API: com.sun.net.httpserver, a HikariCP pool over pgjdbc, SLF4J on logback
// with Spring Boot's console pattern (logback-api.xml, stdout). Faults are planted through its
// routes and environment: /report holds a pooled connection for REPORT_SECONDS (pool exhaustion
// when several run at once), /export fails on a missing table and logs the wrapped exception with
// its cause, /alloc keeps allocating (the heap's OutOfMemoryError under -Xmx), and a missing
// STRIPE_API_KEY (REQUIRE_STRIPE_KEY=1) ends main with an exception before serving (a crash loop).
// A shutdown hook logs the stop and closes the pool, as Spring Boot does on SIGTERM.
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

public class Api {
  static {
    // Spring Boot sets PID for its console pattern before logging starts.
    System.setProperty("PID", String.valueOf(ProcessHandle.current().pid()));
  }

  private static final Logger log = LoggerFactory.getLogger("com.example.api.Api");
  private static final Logger web = LoggerFactory.getLogger("com.example.api.web.OrderController");
  private static final List<byte[]> hoard = new ArrayList<>();

  interface Handler {
    String handle(HttpExchange x) throws Exception;
  }

  static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isEmpty() ? fallback : v;
  }

  static void reply(HttpExchange x, int status, String body) throws java.io.IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.sendResponseHeaders(status, b.length);
    try (OutputStream o = x.getResponseBody()) {
      o.write(b);
    }
  }

  static void route(HttpServer server, String path, Handler h) {
    server.createContext(path, x -> {
      long t0 = System.nanoTime();
      int status = 200;
      String body;
      try {
        body = h.handle(x);
      } catch (Exception e) {
        status = 500;
        body = "internal error\n";
        web.error("Request processing failed: " + x.getRequestMethod() + " " + x.getRequestURI(), e);
      }
      reply(x, status, body);
      log.info("{} {} {} {} ms", x.getRequestMethod(), x.getRequestURI(), status, (System.nanoTime() - t0) / 1_000_000);
    });
  }

  static long count(HikariDataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  static URI jdbc(String url) {
    return URI.create(url);
  }

  public static void main(String[] args) throws Exception {
    log.info("Starting Api using Java {} with PID {}", System.getProperty("java.version"), System.getProperty("PID"));
    if ("1".equals(System.getenv("REQUIRE_STRIPE_KEY")) && System.getenv("STRIPE_API_KEY") == null) {
      // A required setting missing, as a deploy with a bad environment meets it: main ends with the exception.
      throw new IllegalStateException("Failed to configure payments",
          new IllegalArgumentException("STRIPE_API_KEY is not set"));
    }
    URI db = jdbc(System.getenv("DATABASE_URL"));
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl("jdbc:postgresql://" + db.getHost() + ":" + db.getPort() + db.getPath());
    cfg.setUsername(db.getUserInfo().split(":")[0]);
    cfg.setMaximumPoolSize(Integer.parseInt(env("POOL_MAX", "3")));
    cfg.setConnectionTimeout(Long.parseLong(env("CONNECTION_TIMEOUT_MS", "1000")));
    HikariDataSource ds = new HikariDataSource(cfg);
    count(ds, "select 1"); // the pool starts with its first connection, as Spring Boot's does
    int reportSeconds = Integer.parseInt(env("REPORT_SECONDS", "3"));

    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(env("PORT", "8080"))), 64);
    server.setExecutor(Executors.newFixedThreadPool(16));
    route(server, "/health", x -> count(ds, "select 1") + "\n");
    route(server, "/orders", x -> count(ds, "select count(*) from generate_series(1, 1000)") + "\n");
    route(server, "/report", x -> count(ds, "select count(*) from (select pg_sleep(" + reportSeconds + ")) s") + "\n");
    route(server, "/export", x -> {
      try {
        return count(ds, "select count(*) from invoices") + "\n";
      } catch (SQLException e) {
        throw new IllegalStateException("Invoice export failed", e);
      }
    });
    route(server, "/alloc", x -> {
      for (;;) hoard.add(new byte[1 << 20]);
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("Commencing graceful shutdown. Waiting for active requests to complete");
      server.stop(1);
      log.info("Graceful shutdown complete");
      ds.close();
    }, "shutdown"));
    server.start();
    log.info("Started Api: listening on port {}", server.getAddress().getPort());
  }
}
