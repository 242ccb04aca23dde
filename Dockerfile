# The sandbox as a small container: a static binary on a distroless base,
# running as a non-root user. Build: docker build -t bcbsnc-sandbox .
# Run:   docker run -p 8080:8080 bcbsnc-sandbox

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO off: a static binary that needs no libc in the runtime image.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/sandbox .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/sandbox /sandbox
USER nonroot:nonroot
EXPOSE 8080
# The binary checks itself: the runtime image has no shell and no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/sandbox", "healthcheck"]
ENTRYPOINT ["/sandbox"]
