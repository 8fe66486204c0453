# The sandbox in a container:
#
#   docker build --build-arg REVISION=$(git rev-parse HEAD) -t ecommpay-sandbox .
#   docker run --rm -p 127.0.0.1:8080:8080 -v sandbox-data:/data ecommpay-sandbox
#
# Inside the container it listens on 0.0.0.0:8080 (the binary's own default
# stays loopback only) and keeps its data in the volume /data. Its links say
# http://127.0.0.1:8080: publishing another port or name, say so, e.g.
#   docker run -e ECOMMPAY_SANDBOX_PUBLIC_URL=http://127.0.0.1:9090 -p 127.0.0.1:9090:8080 ... ecommpay-sandbox
# These settings are environment variables (ECOMMPAY_SANDBOX_ and a flag's
# name, as sandbox serve -h says), so that -e, or a CI service's variables,
# change any of them without replacing the command.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The build context leaves .git out, so go build cannot record the revision:
# say it (make docker does), and sandbox version and the log's ready line show it.
ARG REVISION=
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.builtFrom=${REVISION}" -o /out/sandbox ./cmd/sandbox \
 && mkdir /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/sandbox /usr/local/bin/sandbox
COPY --from=build --chown=nonroot:nonroot /out/data /data
USER nonroot:nonroot
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/sandbox"]
ENV ECOMMPAY_SANDBOX_ADDR=0.0.0.0:8080 \
    ECOMMPAY_SANDBOX_DATA=/data \
    ECOMMPAY_SANDBOX_PUBLIC_URL=http://127.0.0.1:8080
CMD ["serve"]
