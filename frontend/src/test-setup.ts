import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

// Generous waits: the suite may run on a busy machine alongside the backend's tests.
configure({ asyncUtilTimeout: 5000 });
afterEach(cleanup);
