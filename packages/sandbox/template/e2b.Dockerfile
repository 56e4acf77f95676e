# Porthole's E2B sandbox: Ubuntu 22.04, Node 20, Claude Code, git and build tools, /workspace.
# Build and register it with `pnpm --filter @porthole/sandbox template:build` (see README.md).
FROM ubuntu:22.04

ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color

RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl git build-essential python3 less vim-tiny procps nodejs npm \
 && rm -rf /var/lib/apt/lists/*

# Ubuntu 22.04 ships Node 12; `n` installs Node 20, the version Porthole is built and tested with.
RUN npm install -g n && n 20 && apt-get purge -y nodejs npm && apt-get autoremove -y \
 && /usr/local/bin/node --version | grep -q '^v20\.'

# Claude Code, pinned to the version Porthole's tests render.
RUN /usr/local/bin/npm install -g @anthropic-ai/claude-code@2.1.332 && claude --version

RUN mkdir -p /workspace && chmod 1777 /workspace
WORKDIR /workspace
