package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/internal/otklik"
	"github.com/otklik/otklik/internal/service"
	"github.com/otklik/otklik/internal/store"
	"github.com/otklik/otklik/internal/testkit"
)

// TestOneServerToAnEmbeddedDatabase: a second `otklik serve` on the data of a running one is refused,
// naming the first one's process, while the tools still run beside it; and once the first is killed,
// the next server queues at once the job it left running — a recomputation of deadlines cut short —
// instead of waiting five minutes for the claim's lease to end.
func TestOneServerToAnEmbeddedDatabase(t *testing.T) {
	data := t.TempDir()
	first := startServer(t, data)
	out, err := exec.Command(binary, "serve", "--data", data, "--addr", freeAddr(t)).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "another otklik serve (process "+strconv.Itoa(first.cmd.Process.Pid)+") is serving") {
		t.Fatalf("a second server on the same data: %v\n%s", err, out)
	}
	if out, err := exec.Command(binary, "verify", "--data", data).CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "OK:") {
		t.Errorf("verify beside the server: %v\n%s", err, out)
	}
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_, _ = first.cmd.Process.Wait()

	// What the killed server left: a recomputation it had claimed, its lease running five more minutes.
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{URL: filepath.Join(data, "otklik.db"), Synchronous: "normal"})
	if err != nil {
		t.Fatal(err)
	}
	var left *otklik.Job
	err = st.Write(ctx, func(tx otklik.Tx) error {
		if err := tx.EnqueueJob(ctx, &otklik.Job{Kind: service.JobRecomputeSLA, Payload: "{}"}); err != nil {
			return err
		}
		js, err := tx.ClaimJobs(ctx, "killed:1", 1, 5*time.Minute)
		if len(js) == 1 {
			left = js[0]
		}
		return err
	})
	st.Close()
	if err != nil || left == nil {
		t.Fatalf("a claimed job: %v", err)
	}

	second := startServer(t, data)
	st, err = store.Open(ctx, store.Options{URL: filepath.Join(data, "otklik.db"), NoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		js, err := st.Jobs(ctx, otklik.JobFilter{Kind: service.JobRecomputeSLA, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var j *otklik.Job
		for _, x := range js {
			if x.ID == left.ID {
				j = x
			}
		}
		if j != nil && j.Status == otklik.JobDone {
			if j.Attempts != 2 || j.LockedBy == "killed:1" {
				t.Errorf("the job left running was finished as attempt %d by %q", j.Attempts, j.LockedBy)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job left running by the killed server is still %+v 20 s after the next one started:\n%s", j, second.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(second.logs.String(), "jobs left running by a stopped server are queued again") {
		t.Errorf("the next server did not say it queued the job again:\n%s", second.logs)
	}
}

// TestNamedNodeReclaimsItsJobs: on PostgreSQL a node started with the name it had before a crash
// (--node) queues at once the jobs it left running, and leaves another node's claims to their lease.
func TestNamedNodeReclaimsItsJobs(t *testing.T) {
	db := testkit.MustNewDB(t, "postgres")
	ctx := context.Background()
	first := startServer(t, t.TempDir(), "--db", db.URL, "--node", "n1")
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_, _ = first.cmd.Process.Wait()
	st, err := store.Open(ctx, store.Options{URL: db.URL, NoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	claimed := map[string]int64{}
	for _, node := range []string{"n1", "n2"} {
		err := st.Write(ctx, func(tx otklik.Tx) error {
			if err := tx.EnqueueJob(ctx, &otklik.Job{Kind: service.JobRecomputeSLA, Payload: "{}"}); err != nil {
				return err
			}
			js, err := tx.ClaimJobs(ctx, node, 1, 5*time.Minute)
			if len(js) == 1 {
				claimed[node] = js[0].ID
			}
			return err
		})
		if err != nil || claimed[node] == 0 {
			t.Fatalf("a job claimed by %s: %v", node, err)
		}
	}
	second := startServer(t, t.TempDir(), "--db", db.URL, "--node", "n1")
	status := func(id int64) string {
		var s, by string
		if err := db.Raw.QueryRow("SELECT status, locked_by FROM jobs WHERE id = $1", id).Scan(&s, &by); err != nil {
			t.Fatal(err)
		}
		return s + " by " + by
	}
	deadline := time.Now().Add(20 * time.Second)
	for status(claimed["n1"]) != "done by n1" {
		if time.Now().After(deadline) {
			t.Fatalf("n1's job is %q 20 s after n1 started again:\n%s", status(claimed["n1"]), second.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := status(claimed["n2"]); got != "running by n2" {
		t.Errorf("another node's claim, within its lease: %q", got)
	}
}
