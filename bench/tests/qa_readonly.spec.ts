// The hub's @qa-readonly suite, as its Playwright spec reads: the same two
// scenarios as specs/qa_readonly.yaml. A full-page screenshot follows each
// visit because prod-smoke takes one too.
import { test, expect } from '@playwright/test';

test('public routes and the task board respond', { tag: '@qa-readonly' }, async ({ page, request }, testInfo) => {
  const up = await request.get('/up');
  expect(up.status()).toBe(200);

  const home = await page.goto('/');
  expect(home?.ok()).toBeTruthy();
  await page.screenshot({ path: testInfo.outputPath('home.png'), fullPage: true });
  await expect(page).toHaveTitle(/McRitchie Studio/);
  await expect(page.locator('body')).toContainText('McRitchie Studio');

  const signin = await page.goto('/signin');
  expect(signin?.ok()).toBeTruthy();
  await page.screenshot({ path: testInfo.outputPath('signin.png'), fullPage: true });
  await expect(page.locator('input[name="email"]')).toBeVisible();

  const tasks = await page.goto('/tasks');
  expect(tasks?.ok()).toBeTruthy();
  await page.screenshot({ path: testInfo.outputPath('tasks.png'), fullPage: true });
  await expect(page.locator('body')).toContainText('Tasks');
});

test('devops routes are removed', { tag: '@qa-readonly' }, async ({ request }) => {
  expect((await request.get('/devops')).status()).toBe(404);
  expect((await request.get('/devops/cycle')).status()).toBe(404);
});
