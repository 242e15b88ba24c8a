/**
 * Fills elements marked data-service-hours on the council's own pages with the opening
 * hours from GET /api/service-info, so the phone-line hours always follow the schedule an
 * admin set. The text already in the page stays when the service cannot be reached.
 */
export async function fillServiceHours(root = document) {
  const targets = root.querySelectorAll("[data-service-hours]");
  if (!targets.length) return;
  try {
    const response = await fetch("/api/service-info", { credentials: "omit" });
    if (!response.ok) return;
    const info = await response.json();
    if (typeof info.opening_hours !== "string" || !info.opening_hours) return;
    for (const node of targets) node.textContent = info.opening_hours;
  } catch {
    /* keep the printed hours */
  }
}

fillServiceHours();
