// The API's documentation page (Swagger UI, served from the installed package). Requests
// tried from it carry the signed-in user's CSRF token, as the app's own do.
const csrf = () => decodeURIComponent(document.cookie.match(/(?:^|;\s*)meclean_csrf=([^;]+)/)?.[1] ?? "");

window.SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  requestInterceptor: (request) => {
    request.headers["X-CSRF-Token"] = csrf();
    return request;
  },
});
