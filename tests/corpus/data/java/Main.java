// Java 17's HttpServer and HttpClient in one program, launched from source
// (`java Main.java`): the server listens on an ephemeral port of 127.0.0.1,
// the client sends a fixed number of requests, synchronous and asynchronous.
// Prints one summary line, the same on every run.
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

public class Main {
    static final int REQUESTS = 40;

    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        server.setExecutor(pool);
        server.createContext("/", exchange -> {
            byte[] body = ("you asked for " + exchange.getRequestURI().getPath() + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();

        HttpClient client = HttpClient.newHttpClient();
        long bytes = 0;
        int failed = 0;
        for (int i = 0; i < REQUESTS / 2; i++) {
            HttpResponse<String> r = client.send(
                    HttpRequest.newBuilder(URI.create(base + "/sync/" + i)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) failed++;
            bytes += r.body().length();
        }
        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (int i = 0; i < REQUESTS / 2; i++) {
            pending.add(client.sendAsync(
                    HttpRequest.newBuilder(URI.create(base + "/async/" + i)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : pending) {
            HttpResponse<String> r = f.get();
            if (r.statusCode() != 200) failed++;
            bytes += r.body().length();
        }
        server.stop(0);
        pool.shutdown();
        System.out.println(REQUESTS + " requests, " + failed + " failed, " + bytes + " bytes");
        System.exit(failed == 0 ? 0 : 1);
    }
}
