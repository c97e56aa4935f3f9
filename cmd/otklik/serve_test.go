package main

import (
	"context"
	"os"
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
	st, err := store.Open(ctx, store.Options{URL: filepath.Join(data, "otklik.db"), NoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	left := leaveClaimed(t, st, "killed:1")
	second := startServer(t, data)
	host, _ := os.Hostname() // the second server's worker name, host:pid
	waitJobState(t, st, left, "done by "+host+":"+strconv.Itoa(second.cmd.Process.Pid)+", attempt 2", second)
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
	n1, n2 := leaveClaimed(t, st, "n1"), leaveClaimed(t, st, "n2")
	second := startServer(t, t.TempDir(), "--db", db.URL, "--node", "n1")
	waitJobState(t, st, n1, "done by n1, attempt 2", second)
	if got := jobState(t, st, n2); got != "running by n2, attempt 1" {
		t.Errorf("another node's claim, within its lease: %q", got)
	}
}

// leaveClaimed stores what a server killed while recomputing deadlines leaves: a recomputation job
// claimed by worker, its lease running five more minutes. It returns the job's ID.
func leaveClaimed(t *testing.T, st *store.Store, worker string) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := st.Write(ctx, func(tx otklik.Tx) error {
		if err := tx.EnqueueJob(ctx, &otklik.Job{Kind: service.JobRecomputeSLA, Payload: "{}"}); err != nil {
			return err
		}
		js, err := tx.ClaimJobs(ctx, worker, 1, 5*time.Minute)
		if len(js) == 1 {
			id = js[0].ID
		}
		return err
	})
	if err != nil || id == 0 {
		t.Fatalf("a job claimed by %s: %v", worker, err)
	}
	return id
}

// jobState is a job's status and the worker that last held it: "done by n1".
func jobState(t *testing.T, st *store.Store, id int64) string {
	t.Helper()
	js, err := st.Jobs(context.Background(), otklik.JobFilter{Kind: service.JobRecomputeSLA, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range js {
		if j.ID == id {
			return string(j.Status) + " by " + j.LockedBy + ", attempt " + strconv.Itoa(j.Attempts)
		}
	}
	return "missing"
}

// waitJobState polls until the job is in state, or fails after 20 s — well within the five minutes
// its lease would have held it.
func waitJobState(t *testing.T, st *store.Store, id int64, state string, s *server) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		got := jobState(t, st, id)
		if got == state {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d is %q 20 s after the server started again, want %q:\n%s", id, got, state, s.logs)
		}
	}
}
