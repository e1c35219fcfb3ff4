#include "workloads.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace corpus {

using namespace std::chrono_literals;

namespace {

const fs::path kDataDir = CORPUS_DATA_DIR;
// Built Go programs and Go's caches, shared by the tests of one build tree.
const fs::path kCacheDir = CORPUS_CACHE_DIR;

constexpr Seconds kHelperDeadline{300};
constexpr Seconds kServerStart{60};

void write_file(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

std::string contains_all(const std::string& text, const std::vector<std::string>& needles) {
    std::string missing;
    for (const auto& n : needles)
        if (text.find(n) == std::string::npos) missing += "  missing: " + n + "\n";
    return missing.empty() ? "" : missing + "in:\n" + text.substr(0, 4000);
}

// ab's summary: every request complete, none failed, none answered non-2xx.
std::string ab_problems(const RunResult& ab, int requests, std::size_t document_length) {
    if (ab.status != 0 || ab.timed_out) return "ab failed\n" + describe(ab);
    auto field = [&ab](const std::string& name) -> std::string {
        std::smatch m;
        const std::regex re(name + R"(:\s+(\S+))");
        return std::regex_search(ab.out, m, re) ? m[1].str() : "?";
    };
    std::string problems;
    if (field("Complete requests") != std::to_string(requests))
        problems += "  complete requests: " + field("Complete requests") + "\n";
    if (field("Failed requests") != "0")
        problems += "  failed requests: " + field("Failed requests") + "\n";
    if (field("Document Length") != std::to_string(document_length))
        problems += "  document length: " + field("Document Length") + "\n";
    if (ab.out.find("Non-2xx responses") != std::string::npos) problems += "  non-2xx responses\n";
    return problems.empty() ? "" : "ab says the server misbehaved:\n" + problems + ab.out;
}

// The page the HTTP workloads serve.
const std::string kIndex = "<html><body>hello from the sctrace corpus</body></html>\n";

// Builds tests/corpus/data/go/main.go once per build tree and variant (CMake
// has no Go support, and the static variants rebuild the standard library,
// over a minute the first time); the lock makes tests running in parallel
// wait for one build rather than race.
std::string go_build(Scene& scene, const std::string& variant, std::string* error) {
    const fs::path source = kDataDir / "go" / "main.go";
    const fs::path bin_dir = kCacheDir / "go-bin";
    fs::create_directories(bin_dir);
    const fs::path bin = bin_dir / variant;
    const int lock = open((bin_dir / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock < 0 || flock(lock, LOCK_EX) != 0) {
        *error = "cannot lock " + (bin_dir / ".lock").string();
        if (lock >= 0) close(lock);
        return "";
    }
    std::error_code ec;
    if (fs::exists(bin) && fs::last_write_time(bin, ec) >= fs::last_write_time(source, ec)) {
        close(lock);
        return bin.string();
    }
    std::vector<std::string> args = {find_program("go"), "build", "-o",
                                     (bin_dir / (variant + ".new")).string()};
    std::string cgo = "CGO_ENABLED=1";
    if (variant == "static") cgo = "CGO_ENABLED=0";
    if (variant == "cgo-static") {
        args.push_back("-ldflags");
        args.push_back("-linkmode external -extldflags -static");
    }
    args.push_back(source.string());
    // Offline, standard library only, caches in the build tree.
    Command build{args,
                  {cgo, "GO111MODULE=off", "GOPROXY=off", "GOFLAGS=", "GOTOOLCHAIN=local",
                   "GOCACHE=" + (kCacheDir / "go-cache").string(),
                   "GOPATH=" + (kCacheDir / "go-path").string(), "HOME=" + scene.dir().string()},
                  "",
                  scene.dir().string()};
    const RunResult r = run(build, scene.dir(), kHelperDeadline);
    if (r.status == 0 && !r.timed_out) fs::rename(bin_dir / (variant + ".new"), bin, ec);
    close(lock);
    if (r.status != 0 || r.timed_out || ec) {
        *error = "go build (" + variant + ") failed\n" + describe(r) + ec.message();
        return "";
    }
    return bin.string();
}

// A self-signed certificate made now, untraced.
bool make_certificate(Scene& s, std::string* error) {
    const RunResult cert =
        s.run_helper({find_program("openssl"), "req", "-x509", "-newkey", "ec", "-pkeyopt",
                      "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", s.path("key.pem"),
                      "-out", s.path("cert.pem"), "-days", "2", "-subj", "/CN=127.0.0.1"},
                     kHelperDeadline);
    if (cert.status != 0) *error = "cannot make a certificate\n" + describe(cert);
    return cert.status == 0;
}

// One TLS connection, answered with s_server's status page, then exit 0.
std::vector<std::string> s_server(Scene& s, const std::string& port) {
    return {find_program("openssl"),
            "s_server",
            "-accept",
            "127.0.0.1:" + port,
            "-naccept",
            "1",
            "-www",
            "-cert",
            s.path("cert.pem"),
            "-key",
            s.path("key.pem")};
}

Plan go_workload(Scene& scene, const std::string& variant, std::string* error) {
    Plan p;
    const std::string bin = go_build(scene, variant, error);
    if (bin.empty()) return p;
    p.command.argv = {bin};
    p.expected_stdout = "200 requests, 0 failed, 4320 bytes\n";
    return p;
}

std::vector<Workload> make_workloads() {
    const Need python{"python3", "python3"};
    std::vector<Workload> w;

    w.push_back({"curl", {{"curl", "curl"}, python}, [](Scene& s, std::string* error) {
                     Plan p;
                     write_file(s.dir() / "www" / "index.html", kIndex);
                     const std::string url = s.serve_http(s.dir() / "www", error);
                     if (url.empty()) return p;
                     p.command.argv = {find_program("curl"), "-sS", "--max-time", "120", url};
                     p.expected_stdout = kIndex;
                     return p;
                 }});

    // TCP_FASTOPEN_CONNECT on curl's socket: a connect() that returns 0 at
    // once is the documented result there, not a finding at warning.
    w.push_back({"curl_tcp_fastopen", {{"curl", "curl"}, python}, [](Scene& s, std::string* error) {
                     Plan p;
                     write_file(s.dir() / "www" / "index.html", kIndex);
                     const std::string url = s.serve_http(s.dir() / "www", error);
                     if (url.empty()) return p;
                     p.command.argv = {find_program("curl"), "-sS", "--tcp-fastopen",
                                       "--max-time",         "120", url};
                     p.expected_stdout = kIndex;
                     return p;
                 }});

    w.push_back({"python_urllib", {python}, [](Scene& s, std::string* error) {
                     Plan p;
                     write_file(s.dir() / "www" / "index.html", kIndex);
                     const std::string url = s.serve_http(s.dir() / "www", error);
                     if (url.empty()) return p;
                     p.command.argv = {
                         find_program("python3"), "-c",
                         "import sys, urllib.request\n"
                         "body = urllib.request.urlopen(sys.argv[1], timeout=120).read()\n"
                         "print(len(body), 'bytes')\n",
                         url};
                     p.expected_stdout = std::to_string(kIndex.size()) + " bytes\n";
                     return p;
                 }});

    // The traced server is python's ThreadingHTTPServer: a thread per connection.
    w.push_back(
        {"python_http_server_ab", {python, {"ab", "apache2-utils"}}, [](Scene& s, std::string*) {
             Plan p;
             write_file(s.dir() / "www" / "index.html", kIndex);
             p.ready_port = free_port();
             p.command.argv = {find_program("python3"),
                               "-m",
                               "http.server",
                               "--bind",
                               "127.0.0.1",
                               "--directory",
                               s.path("www"),
                               std::to_string(p.ready_port)};
             const std::string url =
                 "http://127.0.0.1:" + std::to_string(p.ready_port) + "/index.html";
             p.drive = [&s, url] {
                 return ab_problems(
                     s.run_helper({find_program("ab"), "-q", "-n", "1000", "-c", "10", url},
                                  kHelperDeadline),
                     1000, kIndex.size());
             };
             // http.server exits 0 on KeyboardInterrupt.
             p.stop_signal = SIGINT;
             return p;
         }});

    w.push_back({"python_asyncio", {python}, [](Scene&, std::string*) {
                     Plan p;
                     p.command.argv = {find_program("python3"), Scene::data("asyncio_echo.py")};
                     p.expected_stdout = "40 clients, 17350 bytes echoed\n";
                     return p;
                 }});

    w.push_back({"node_io_uring", {{"node", "nodejs"}}, [](Scene&, std::string*) {
                     Plan p;
                     p.command.argv = {find_program("node"), Scene::data("node_io_uring.js")};
                     p.command.env = {"UV_USE_IO_URING=1"};
                     p.expected_stdout = "files: 0 bytes differ; http: 50 responses, 1140 bytes\n";
                     p.rings_followed = true;
                     return p;
                 }});

    w.push_back({"git", {{"git", "git"}, {"sh", "dash"}}, [](Scene& s, std::string*) {
                     Plan p;
                     p.command.argv = {find_program("sh"), Scene::data("git.sh"), s.path("repo")};
                     p.command.env = {"GIT_CONFIG_NOSYSTEM=1", "GIT_PAGER=cat", "PAGER=cat"};
                     p.expected_stdout = slurp(Scene::data("git.expected"));
                     return p;
                 }});

    // A shell that ignores SIGSEGV and sends it to itself: the delivery is
    // seen, nothing dies, and a crash rule must stay silent.
    w.push_back({"bash_trap_segv", {{"bash", "bash"}}, [](Scene&, std::string*) {
                     Plan p;
                     p.command.argv = {find_program("bash"), "-c",
                                       "trap '' SEGV; kill -SEGV $$; echo survived"};
                     p.expected_stdout = "survived\n";
                     return p;
                 }});

    w.push_back(
        {"make", {{"make", "make"}, {"cc", "gcc"}}, [](Scene& s, std::string*) {
             Plan p;
             fs::copy(Scene::data("make"), s.dir() / "make", fs::copy_options::recursive);
             p.command.argv = {find_program("make"), "-s", "-j4"};
             // Not a sub-make of `make test`: no jobserver, no "Entering directory".
             p.command.env = {"MAKEFLAGS=", "MFLAGS=", "MAKELEVEL="};
             p.command.cwd = s.path("make");
             p.expected_stdout =
                 "built by make -j4: add 5, mul 42, fib(40) 102334155, primes below 20000: 2262\n";
             return p;
         }});

    w.push_back(
        {"nginx_ab", {{"nginx", "nginx"}, {"ab", "apache2-utils"}}, [](Scene& s, std::string*) {
             Plan p;
             write_file(s.dir() / "www" / "index.html", kIndex);
             p.ready_port = free_port();
             const std::string d = s.dir().string();
             write_file(s.dir() / "nginx.conf",
                        "daemon off;\n"
                        "master_process on;\n"
                        "worker_processes 2;\n"
                        "pid " +
                            d +
                            "/nginx.pid;\n"
                            "error_log " +
                            d +
                            "/nginx-error.log warn;\n"
                            "events { worker_connections 256; }\n"
                            "http {\n"
                            "  access_log " +
                            d +
                            "/nginx-access.log;\n"
                            "  client_body_temp_path " +
                            d +
                            "/nginx-tmp/body;\n"
                            "  proxy_temp_path " +
                            d +
                            "/nginx-tmp/proxy;\n"
                            "  fastcgi_temp_path " +
                            d +
                            "/nginx-tmp/fastcgi;\n"
                            "  uwsgi_temp_path " +
                            d +
                            "/nginx-tmp/uwsgi;\n"
                            "  scgi_temp_path " +
                            d +
                            "/nginx-tmp/scgi;\n"
                            "  server {\n"
                            "    listen 127.0.0.1:" +
                            std::to_string(p.ready_port) +
                            ";\n"
                            "    root " +
                            d +
                            "/www;\n"
                            "  }\n"
                            "}\n");
             fs::create_directories(s.dir() / "nginx-tmp");
             p.command.argv = {find_program("nginx"), "-p", d, "-e", d + "/nginx-error.log", "-c",
                               d + "/nginx.conf"};
             const std::string url =
                 "http://127.0.0.1:" + std::to_string(p.ready_port) + "/index.html";
             p.drive = [&s, url] {
                 return ab_problems(
                     s.run_helper({find_program("ab"), "-q", "-n", "2000", "-c", "10", url},
                                  kHelperDeadline),
                     2000, kIndex.size());
             };
             // Graceful shutdown: the workers finish, the master exits 0.
             p.stop_signal = SIGQUIT;
             return p;
         }});

    w.push_back(
        {"redis_benchmark",
         {{"redis-server", "redis-server"},
          {"redis-benchmark", "redis-tools"},
          {"redis-cli", "redis-tools"}},
         [](Scene& s, std::string*) {
             Plan p;
             p.ready_port = free_port();
             const std::string port = std::to_string(p.ready_port);
             p.command.argv = {find_program("redis-server"),
                               "--port",
                               port,
                               "--bind",
                               "127.0.0.1",
                               "--save",
                               "",
                               "--appendonly",
                               "no",
                               "--dir",
                               s.dir().string()};
             p.drive = [&s, port] {
                 const RunResult bench = s.run_helper({find_program("redis-benchmark"), "-h",
                                                       "127.0.0.1", "-p", port, "-n", "2000", "-q"},
                                                      kHelperDeadline);
                 if (bench.status != 0 || bench.timed_out)
                     return "redis-benchmark failed\n" + describe(bench);
                 // Every test reported a rate; none reported an error.
                 std::istringstream lines(bench.out);
                 int tests = 0;
                 for (std::string line; std::getline(lines, line);) {
                     const auto cr = line.rfind('\r');  // -q redraws its line with \r
                     if (cr != std::string::npos) line = line.substr(cr + 1);
                     if (line.empty()) continue;
                     if (line.find("requests per second") == std::string::npos)
                         return "redis-benchmark: unexpected line: " + line + "\n" +
                                describe(bench);
                     ++tests;
                 }
                 if (tests < 10)
                     return "redis-benchmark ran only " + std::to_string(tests) + " tests\n" +
                            describe(bench);
                 const RunResult set = s.run_helper({find_program("redis-cli"), "-h", "127.0.0.1",
                                                     "-p", port, "set", "corpus", "answer"},
                                                    kHelperDeadline);
                 const RunResult get = s.run_helper(
                     {find_program("redis-cli"), "-h", "127.0.0.1", "-p", port, "get", "corpus"},
                     kHelperDeadline);
                 if (set.out != "OK\n" || get.out != "answer\n")
                     return "redis answers wrongly\n" + describe(set) + describe(get);
                 return std::string();
             };
             // SIGTERM is redis's orderly shutdown (nothing to save): exit 0.
             p.stop_signal = SIGTERM;
             return p;
         }});

    w.push_back(
        {"openssl_s_server", {{"openssl", "openssl"}}, [](Scene& s, std::string* error) {
             Plan p;
             if (!make_certificate(s, error)) return p;
             const std::string port = std::to_string(free_port());
             p.command.argv = s_server(s, port);
             // Probing the port would use up its one connection: wait for its word.
             p.ready_text = "ACCEPT";
             write_file(s.dir() / "request.txt", "GET / HTTP/1.0\r\n\r\n");
             p.drive = [&s, port] {
                 const RunResult c = s.run_helper({find_program("openssl"), "s_client", "-connect",
                                                   "127.0.0.1:" + port, "-quiet"},
                                                  kHelperDeadline, s.path("request.txt"));
                 if (c.status != 0 || c.out.find("HTTP/1.0 200 ok") == std::string::npos ||
                     c.out.find("Ciphers supported in s_server binary") == std::string::npos)
                     return "s_client did not get s_server's status page\n" + describe(c);
                 return std::string();
             };
             p.check = [](const RunResult& r) { return contains_all(r.out, {"ACCEPT"}); };
             return p;
         }});

    // The other side: s_client traced, s_server untraced.
    w.push_back({"openssl_s_client", {{"openssl", "openssl"}}, [](Scene& s, std::string* error) {
                     Plan p;
                     if (!make_certificate(s, error)) return p;
                     const std::string port = std::to_string(free_port());
                     if (!s.start_server(s_server(s, port), "ACCEPT", error)) return p;
                     write_file(s.dir() / "request.txt", "GET / HTTP/1.0\r\n\r\n");
                     p.command.argv = {find_program("openssl"), "s_client", "-connect",
                                       "127.0.0.1:" + port, "-quiet"};
                     p.command.stdin_path = s.path("request.txt");
                     p.check = [](const RunResult& r) {
                         return contains_all(
                             r.out, {"HTTP/1.0 200 ok", "Ciphers supported in s_server binary"});
                     };
                     return p;
                 }});

    w.push_back({"sqlite3", {{"sqlite3", "sqlite3"}}, [](Scene& s, std::string*) {
                     Plan p;
                     p.command.argv = {find_program("sqlite3"), s.path("corpus.db"),
                                       ".read " + Scene::data("sqlite.sql")};
                     p.expected_stdout = slurp(Scene::data("sqlite.expected"));
                     return p;
                 }});

    const Need go{"go", "golang-go"};
    w.push_back({"go_dynamic", {go, {"cc", "gcc"}}, [](Scene& s, std::string* error) {
                     return go_workload(s, "dynamic", error);
                 }});
    w.push_back({"go_static", {go}, [](Scene& s, std::string* error) {
                     return go_workload(s, "static", error);
                 }});
    // glibc's static archive comes with libc6-dev.
    w.push_back({"go_cgo_static",
                 {go, {"cc", "gcc"}, {"/usr/lib/x86_64-linux-gnu/libc.a", "libc6-dev"}},
                 [](Scene& s, std::string* error) { return go_workload(s, "cgo-static", error); }});

    // Single-file source launch compiles in the JVM: it needs the JDK, not a JRE.
    w.push_back({"java_http",
                 {{"java", "default-jdk-headless"}, {"javac", "default-jdk-headless"}},
                 [](Scene&, std::string*) {
                     Plan p;
                     p.command.argv = {find_program("java"), Scene::data("java/Main.java")};
                     p.expected_stdout = "40 requests, 0 failed, 920 bytes\n";
                     return p;
                 }});

    w.push_back({"chromium", {{"chromium", "chromium"}, python}, [](Scene& s, std::string* error) {
                     Plan p;
                     fs::create_directories(s.dir() / "www");
                     fs::copy_file(Scene::data("page.html"), s.dir() / "www" / "index.html");
                     const std::string url = s.serve_http(s.dir() / "www", error);
                     if (url.empty()) return p;
                     p.command.argv = {find_program("chromium"),
                                       "--headless",
                                       "--no-sandbox",
                                       "--disable-gpu",
                                       "--disable-quic",
                                       "--no-first-run",
                                       "--disable-background-networking",
                                       "--disable-component-update",
                                       "--disable-sync",
                                       "--user-data-dir=" + s.path("chromium-profile"),
                                       "--dump-dom",
                                       url};
                     // The DOM after the page's script ran.
                     p.check = [](const RunResult& r) {
                         return contains_all(
                             r.out, {"<title>corpus page, script ran</title>",
                                     "<li>item 0</li><li>item 1</li><li>item 4</li><li>item "
                                     "9</li><li>item 16</li>"});
                     };
                     return p;
                 }});
    return w;
}

}  // namespace

std::string Scene::data(const std::string& name) {
    return (kDataDir / name).string();
}

std::vector<std::string> Scene::env() const {
    return {"HOME=" + dir_.string(), "TMPDIR=" + dir_.string(), "LC_ALL=C.UTF-8"};
}

RunResult Scene::run_helper(std::vector<std::string> argv, Seconds deadline,
                            const std::string& stdin_path) {
    return run({std::move(argv), env(), stdin_path, dir_.string()}, dir_, deadline);
}

std::string Scene::serve_http(const fs::path& root, std::string* why) {
    for (int attempt = 0; attempt < 5; attempt++) {
        const int port = free_port();
        if (port <= 0) break;
        auto server = std::make_unique<Process>(
            Command{{find_program("python3"), "-m", "http.server", "--bind", "127.0.0.1",
                     "--directory", root.string(), std::to_string(port)},
                    env(),
                    "",
                    dir_.string()},
            dir_);
        const auto until = std::chrono::steady_clock::now() + kServerStart;
        while (std::chrono::steady_clock::now() < until && !server->exited()) {
            if (accepts(port)) {
                helpers_.push_back(std::move(server));
                return "http://127.0.0.1:" + std::to_string(port) + "/";
            }
            std::this_thread::sleep_for(20ms);
        }
        // Died (the port was taken meanwhile?) or never answered: another port.
        *why = "python3 -m http.server did not start\n" + describe(server->wait(Seconds{1}));
    }
    return "";
}

bool Scene::start_server(std::vector<std::string> argv, const std::string& ready_text,
                         std::string* why) {
    auto server =
        std::make_unique<Process>(Command{std::move(argv), env(), "", dir_.string()}, dir_);
    const auto until = std::chrono::steady_clock::now() + kServerStart;
    while (std::chrono::steady_clock::now() < until && !server->exited()) {
        if (server->out_so_far().find(ready_text) != std::string::npos) {
            helpers_.push_back(std::move(server));
            return true;
        }
        std::this_thread::sleep_for(20ms);
    }
    *why =
        "the untraced server did not say " + ready_text + "\n" + describe(server->wait(Seconds{1}));
    return false;
}

const std::vector<Workload>& workloads() {
    static const std::vector<Workload> all = make_workloads();
    return all;
}

}  // namespace corpus
