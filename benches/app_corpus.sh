# Sourced by the bench scripts that need one generated app log (requests.sh, export.sh).

# Builds the release binary and the generator, and (re)generates DIR/app.log of SIZE when the
# size or the generator changed since the stamp in DIR was written (the stamp is written last,
# so an interrupted run regenerates). Usage: app_corpus DIR SIZE; DIR/app.log is then ready.
app_corpus() {
  local dir=$1 size=$2 want
  cargo build --release --quiet
  cargo build --release --quiet --example gen_corpus
  want="size=$size generator=$(cat benches/gen_corpus/*.rs | sha256sum | cut -c1-16)"
  if [ "$(cat "$dir/.stamp" 2>/dev/null || true)" != "$want" ] || [ ! -f "$dir/app.log" ]; then
    rm -f "$dir/.stamp"
    echo "generating a $size app log into $dir ..." >&2
    target/release/examples/gen_corpus --out "$dir" --size "$size" --only app >&2
    echo "$want" > "$dir/.stamp"
  fi
}
