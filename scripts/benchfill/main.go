// Command benchfill fills an account's My Vault with N login items through
// the API (batch creates, protocol §7.5 manifests and all), for
// scripts/bench-cli.sh: a 100,000-item vault in minutes, not 100,000 CLI
// calls. Items are named site-0 … site-(N-1); site-i's user name is
// user-i@example.com and its password pw-i-<random>.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/passgen"
)

func main() {
	server := flag.String("server", "", "server URL")
	email := flag.String("email", "", "account e-mail")
	n := flag.Int("items", 1000, "items to add")
	from := flag.Int("from", 0, "number of the first item")
	flag.Parse()
	if *server == "" || *email == "" {
		log.Fatal("usage: benchfill -server URL -email E -items N < password")
	}
	pw, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && pw == "" {
		log.Fatal("the master password is read from stdin")
	}
	ctx := context.Background()
	s, err := client.Login(ctx, *server, *email, []byte(strings.TrimRight(pw, "\r\n")), client.Options{})
	if err != nil {
		log.Fatal(err)
	}
	if err := s.Sync(ctx); err != nil {
		log.Fatal(err)
	}
	v, err := s.PersonalVault()
	if err != nil {
		log.Fatal(err)
	}
	start := time.Now()
	const chunk = 5000
	for done := 0; done < *n; {
		k := min(chunk, *n-done)
		items := make([]client.NewItem, k)
		for i := range items {
			num := *from + done + i
			secret, err := passgen.Password(passgen.Options{Length: 20})
			if err != nil {
				log.Fatal(err)
			}
			items[i] = client.NewItem{Type: "login", Content: client.Content{Name: fmt.Sprint("site-", num),
				Login: &client.LoginFields{Username: fmt.Sprintf("user-%d@example.com", num), Password: fmt.Sprintf("pw-%d-%s", num, secret),
					URLs: []string{fmt.Sprintf("https://site%d.example.com/login", num)}}, Tags: []string{"bench"}}}
		}
		if _, err := s.CreateItems(ctx, v.ID, items); err != nil {
			log.Fatal(err)
		}
		done += k
		fmt.Fprintf(os.Stderr, "benchfill: %d/%d items (%.0f/s)\n", done, *n, float64(done)/time.Since(start).Seconds())
	}
	if err := s.Logout(ctx); err != nil {
		log.Print(err)
	}
}
