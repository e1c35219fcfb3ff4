// A net/http server and its client in one program: the server listens on an
// ephemeral port of 127.0.0.1, clients fetch a fixed number of pages over
// keep-alive connections from several goroutines. Addresses are IP literals,
// so no name is looked up (in a static glibc build a lookup would load NSS,
// which is what the static-glibc-nss rule is about). Prints one summary line,
// the same on every run.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
)

const (
	workers  = 8
	requests = 25 // per worker
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "you asked for %s\n", r.URL.Path)
	})
	server := &http.Server{Handler: mux}
	go server.Serve(ln)

	url := "http://" + ln.Addr().String()
	client := &http.Client{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	total, failures := 0, 0
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < requests; i++ {
				resp, err := client.Get(fmt.Sprintf("%s/w%d/r%d", url, w, i))
				n := 0
				if err == nil {
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					n = len(body)
				}
				mu.Lock()
				if err != nil || resp.StatusCode != 200 {
					failures++
				}
				total += n
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	server.Close()
	fmt.Printf("%d requests, %d failed, %d bytes\n", workers*requests, failures, total)
	if failures > 0 {
		os.Exit(1)
	}
}
